using System.Diagnostics;
using System.Text.Json.Nodes;
using Mcg.Kube.Objects;

namespace Mcg.GitOps.Tests.Kustomize;

/// <summary>Runs the reference implementation: <c>kubectl kustomize DIR</c>.</summary>
internal static class Kubectl
{
    public static (IReadOnlyList<JsonNode?> Objects, string Error, int ExitCode) Kustomize(string directory)
    {
        var psi = new ProcessStartInfo("kubectl", ["kustomize", directory])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(psi)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        var objects = process.ExitCode == 0 ? YamlJson.ParseAll(stdout, "kubectl output") : [];
        return (objects, stderr.Result, process.ExitCode);
    }
}
