using System.Text.Json.Nodes;
using Mcg.Kube.Objects;

namespace Mcg.GitOps.Applications;

/// <summary>
/// Argo CD's annotation tracking: <c>argocd.argoproj.io/tracking-id: app:group/Kind:namespace/name</c> marks what an
/// application manages, so pruning never touches objects that merely share a name.
/// </summary>
public static class ResourceTracking
{
    public const string Annotation = "argocd.argoproj.io/tracking-id";

    public static string IdFor(string appName, JsonObject obj)
    {
        var gvk = obj.Gvk();
        return $"{appName}:{gvk.Group}/{gvk.Kind}:{obj.Namespace() ?? ""}/{obj.Name()}";
    }

    public static void Stamp(JsonObject obj, string appName)
    {
        var meta = obj.Metadata();
        var annotations = meta["annotations"] as JsonObject ?? new JsonObject();
        annotations[Annotation] = IdFor(appName, obj);
        meta["annotations"] = annotations;
    }

    /// <summary>The application named by the object's tracking id, or null.</summary>
    public static string? OwnerOf(JsonObject obj)
    {
        var id = obj.Annotations().GetValueOrDefault(Annotation);
        var colon = id?.IndexOf(':') ?? -1;
        return colon > 0 ? id![..colon] : null;
    }

    public static bool IsManagedBy(JsonObject obj, string appName) => OwnerOf(obj) == appName;
}
