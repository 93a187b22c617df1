using System.Security.Cryptography;
using System.Text;

namespace Mcg.Secrets.ExternalSecrets;

/// <summary>
/// ESO's <c>esutils.ObjectHash</c>: the MD5 (hex) of Go's <c>fmt.Sprintf("%+v", object)</c>. The text is rebuilt
/// exactly as Go prints it (maps with sorted keys, byte slices as decimal lists) so that the hashes match upstream's.
/// </summary>
public static class GoObjectHash
{
    /// <summary>The hash of a Secret's <c>data</c> (<c>map[string][]byte</c>), used for the data-hash annotation.</summary>
    public static string OfData(IReadOnlyDictionary<string, byte[]> data) => Md5(ByteMap(data));

    /// <summary><c>HashMeta</c>: the hash of <c>struct{annotations, labels map[string]string}</c>.</summary>
    public static string OfMeta(IReadOnlyDictionary<string, string> annotations, IReadOnlyDictionary<string, string> labels) =>
        Md5($"{{annotations:{StringMap(annotations)} labels:{StringMap(labels)}}}");

    private static string ByteMap(IReadOnlyDictionary<string, byte[]> map) =>
        "map[" + string.Join(" ", map.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}:[{string.Join(" ", p.Value)}]")) + "]";

    private static string StringMap(IReadOnlyDictionary<string, string> map) =>
        "map[" + string.Join(" ", map.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}:{p.Value}")) + "]";

    private static string Md5(string text) => Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(text)));
}
