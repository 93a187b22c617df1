using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Mcg.GitOps.Rendering.Kustomize;

/// <summary>
/// The <c>images</c> field: rewrites the image of every container and init container — anywhere in any object but a
/// CRD, as kustomize's legacy image filter does — whose name matches, with kustomize's name/tag/digest splitting.
/// </summary>
internal static class ImageTransformer
{
    public static void Apply(ResourceAccumulator resources, ImageEntry image)
    {
        var pattern = new Regex("^" + image.Name + "(:[a-zA-Z0-9_.{}-]*)?(@sha256:[a-zA-Z0-9_.{}-]*)?$", RegexOptions.CultureInvariant);
        foreach (var r in resources.Resources)
        {
            var gvk = r.Gvk;
            if (gvk.Kind == "CustomResourceDefinition")
            {
                continue;
            }
            Walk(r.Obj, pattern, image);
            foreach (var spec in BuiltinConfig.Images)
            {
                spec.Walk(r.Obj, gvk, (parent, field) => Update(parent, field, pattern, image), create: false);
            }
        }
    }

    private static void Walk(JsonNode? node, Regex pattern, ImageEntry image)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (key, value) in obj.ToList())
                {
                    if (key is "containers" or "initContainers" && value is JsonArray containers)
                    {
                        foreach (var c in containers.OfType<JsonObject>())
                        {
                            Update(c, "image", pattern, image);
                        }
                    }
                    Walk(value, pattern, image);
                }
                break;
            case JsonArray list:
                foreach (var item in list)
                {
                    Walk(item, pattern, image);
                }
                break;
        }
    }

    private static void Update(JsonObject container, string field, Regex pattern, ImageEntry image)
    {
        if (container[field] is not JsonValue v || v.GetValueKind() != JsonValueKind.String || !pattern.IsMatch(v.GetValue<string>()))
        {
            return;
        }
        var (name, tag, digest) = Split(v.GetValue<string>());
        name = string.IsNullOrEmpty(image.NewName) ? name : image.NewName;
        if (!string.IsNullOrEmpty(image.NewTag) && !string.IsNullOrEmpty(image.Digest))
        {
            (tag, digest) = (image.NewTag, image.Digest);
        }
        else if (!string.IsNullOrEmpty(image.NewTag))
        {
            (tag, digest) = (image.NewTag, "");
        }
        else if (!string.IsNullOrEmpty(image.Digest))
        {
            (tag, digest) = ("", image.Digest);
        }
        container[field] = name + (tag.Length > 0 ? ":" + tag : "") + (digest.Length > 0 ? "@" + digest : "");
    }

    /// <summary>[host[:port]/]path[:tag][@digest]; a colon before the first slash belongs to the host.</summary>
    private static (string Name, string Tag, string Digest) Split(string image)
    {
        var slash = image.IndexOf('/');
        var offset = slash > 0 ? slash : 0;
        var search = image[offset..];
        var at = search.IndexOf('@');
        var colon = search.IndexOf(':');
        if (colon < 0 && at < 0)
        {
            return (image, "", "");
        }
        if (at >= 0 && (at < colon || colon < 0))
        {
            return (image[..(at + offset)], "", image[(at + offset + 1)..]);
        }
        if (at >= 0 && colon >= 0)
        {
            return (image[..(colon + offset)], image[(colon + offset + 1)..(at + offset)], image[(at + offset + 1)..]);
        }
        return (image[..(colon + offset)], image[(colon + offset + 1)..], "");
    }
}
