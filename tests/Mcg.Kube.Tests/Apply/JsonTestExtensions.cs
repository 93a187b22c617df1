using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Mcg.Kube.Tests.Apply;

internal static class JsonTestExtensions
{
    private static readonly JsonSerializerOptions Relaxed = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Compact JSON with quotes escaped as \" (the default encoder writes \u0022), as Kubernetes writes it.</summary>
    public static string Json(this JsonNode? node) => node?.ToJsonString(Relaxed) ?? "null";
}
