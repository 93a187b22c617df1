using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Mcg.Kube.Objects;

/// <summary>JSON as the Kubernetes API writes it: only what JSON requires is escaped (no <c>\u0022</c> for quotes).</summary>
public static class KubeJson
{
    public static readonly JsonSerializerOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string Serialize(JsonNode? node) => node?.ToJsonString(Options) ?? "null";

    public static byte[] SerializeToUtf8(JsonNode? node) => JsonSerializer.SerializeToUtf8Bytes(node, Options);
}
