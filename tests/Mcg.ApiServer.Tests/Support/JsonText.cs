using System.Text.Json.Nodes;
using Mcg.Kube.Objects;

namespace Mcg.ApiServer.Tests.Support;

public static class JsonText
{
    /// <summary>JSON as the API writes it (quotes not escaped as <c>\u0022</c>), for comparing with literal text.</summary>
    public static string ToKubeJson(this JsonNode node) => KubeJson.Serialize(node);
}
