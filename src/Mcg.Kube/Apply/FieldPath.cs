namespace Mcg.Kube.Apply;

/// <summary>A path from the object root to a field or list item, printed as Kubernetes prints it (<c>.spec.containers[name="app"].image</c>).</summary>
public sealed class FieldPath : IEquatable<FieldPath>
{
    public FieldPath(IEnumerable<PathElement> elements) => Elements = elements.ToArray();

    public IReadOnlyList<PathElement> Elements { get; }

    /// <summary>A path of field names only, such as <c>FieldPath.Of("data", "a")</c>.</summary>
    public static FieldPath Of(params string[] fields) => new(fields.Select(PathElement.Field));

    public override string ToString() => string.Concat(Elements);

    public bool Equals(FieldPath? other) => other is not null && Elements.SequenceEqual(other.Elements);

    public override bool Equals(object? obj) => Equals(obj as FieldPath);

    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(ToString());
}
