using System.Text.Json.Nodes;

namespace Mcg.Kube.Patching;

/// <summary>
/// The element order of a merged list, as k8s.io/apimachinery's normalizeElementOrder computes it: items named in
/// the patch order come in that order; the others keep their live order and are interleaved with the first group
/// wherever the live order puts them earlier.
/// </summary>
internal static class ListOrder
{
    /// <param name="merged">The merged items.</param>
    /// <param name="patchOrder">The patch list or the $setElementOrder list.</param>
    /// <param name="serverOrder">The live list before the merge.</param>
    /// <param name="identity">What identifies an item: its merge key value, or the item itself for primitives.</param>
    public static List<JsonNode?> Normalize(
        List<JsonNode?> merged, List<JsonNode?> patchOrder, List<JsonNode?> serverOrder, Func<JsonNode?, JsonNode?> identity)
    {
        int IndexIn(List<JsonNode?> list, JsonNode? item)
        {
            var id = identity(item);
            return id is null ? -1 : list.FindIndex(other => JsonNode.DeepEquals(identity(other), id));
        }

        var patched = merged.Where(i => IndexIn(patchOrder, i) >= 0).OrderBy(i => IndexIn(patchOrder, i)).ToList();
        var serverOnly = merged.Where(i => IndexIn(patchOrder, i) < 0)
            .OrderBy(i => IndexIn(serverOrder, i) is var index && index >= 0 ? index : int.MaxValue)
            .ToList();

        var result = new List<JsonNode?>(merged.Count);
        int p = 0, s = 0;
        while (p < patched.Count && s < serverOnly.Count)
        {
            var patchedIndex = IndexIn(serverOrder, patched[p]);
            var serverIndex = IndexIn(serverOrder, serverOnly[s]);
            var patchedFirst = patchedIndex >= 0 && serverIndex >= 0 && patchedIndex < serverIndex;
            result.Add(patchedFirst ? patched[p++] : serverOnly[s++]);
        }
        result.AddRange(patched.Skip(p));
        result.AddRange(serverOnly.Skip(s));
        return result;
    }
}
