using System.Text.Json.Nodes;

namespace Mcg.Kube.Runtime;

internal static class JsonNodeExtensions
{
    /// <summary>
    /// Parsed nodes build their children lazily on first access, which is not thread-safe; walking the tree once
    /// builds them all, after which concurrent reads are safe. Cached objects are shared by many readers.
    /// </summary>
    public static T Materialize<T>(this T node) where T : JsonNode
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var (_, child) in o)
                {
                    child?.Materialize();
                }
                break;
            case JsonArray a:
                foreach (var child in a)
                {
                    child?.Materialize();
                }
                break;
        }
        return node;
    }
}
