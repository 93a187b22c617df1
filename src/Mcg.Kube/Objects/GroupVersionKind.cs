namespace Mcg.Kube.Objects;

/// <summary>A group/version/kind triple; the core group is the empty string.</summary>
public readonly record struct GroupVersionKind(string Group, string Version, string Kind)
{
    public string ApiVersion => Group.Length == 0 ? Version : $"{Group}/{Version}";

    public static GroupVersionKind FromApiVersion(string apiVersion, string kind)
    {
        var slash = apiVersion.IndexOf('/');
        return slash < 0
            ? new GroupVersionKind("", apiVersion, kind)
            : new GroupVersionKind(apiVersion[..slash], apiVersion[(slash + 1)..], kind);
    }

    public override string ToString() => $"{ApiVersion}, Kind={Kind}";
}
