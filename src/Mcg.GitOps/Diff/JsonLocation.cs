using System.Text.Json.Nodes;

namespace Mcg.GitOps.Diff;

/// <summary>A place in a document: a property of an object or an item of an array.</summary>
internal readonly record struct JsonLocation(JsonNode Container, string? Property, int Index)
{
    public static JsonLocation Of(JsonObject obj, string property) => new(obj, property, -1);

    public static JsonLocation Of(JsonArray array, int index) => new(array, null, index);

    /// <summary>
    /// Removes every location. Array items go last to first per array, so earlier removals do not shift later indices;
    /// duplicates and locations already detached by an earlier removal are harmless.
    /// </summary>
    public static void RemoveAll(IEnumerable<JsonLocation> locations)
    {
        var distinct = locations.Distinct(LocationComparer.Instance).ToList();
        foreach (var location in distinct.Where(l => l.Property is not null))
        {
            ((JsonObject)location.Container).Remove(location.Property!);
        }
        foreach (var group in distinct.Where(l => l.Property is null).GroupBy(l => l.Container, ReferenceEqualityComparer.Instance))
        {
            var array = (JsonArray)group.Key!;
            foreach (var index in group.Select(l => l.Index).OrderDescending())
            {
                array.RemoveAt(index);
            }
        }
    }

    private sealed class LocationComparer : IEqualityComparer<JsonLocation>
    {
        public static readonly LocationComparer Instance = new();

        public bool Equals(JsonLocation x, JsonLocation y) =>
            ReferenceEquals(x.Container, y.Container) && x.Property == y.Property && x.Index == y.Index;

        public int GetHashCode(JsonLocation l) =>
            HashCode.Combine(ReferenceEqualityComparer.Instance.GetHashCode(l.Container), l.Property, l.Index);
    }
}
