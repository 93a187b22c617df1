using System.CommandLine;
using Mcg.GitOps.Applications;
using Mcg.GitOps.Rendering;
using Mcg.Kube.Objects;

namespace Mcg.Cli.Commands;

/// <summary><c>mcg render DIR</c>: what an application with this path would apply (like <c>kustomize build</c>).</summary>
public static class RenderCommand
{
    public static Command Create()
    {
        var dir = new Argument<DirectoryInfo>("dir") { Description = "A kustomization directory or a plain directory of manifests" };
        var recurse = new Option<bool>("--recurse") { Description = "Plain directories: include subdirectories (Argo CD directory.recurse)" };
        var include = new Option<string?>("--include") { Description = "Plain directories: glob of files to include" };
        var exclude = new Option<string?>("--exclude") { Description = "Plain directories: glob of files to exclude" };
        var cmd = new Command("render", "Print the manifests a directory renders to (Kustomize or plain YAML)") { dir, recurse, include, exclude };
        cmd.SetAction(parse =>
        {
            var root = parse.GetValue(dir)!;
            if (!root.Exists)
            {
                Console.Error.WriteLine($"error: {root.FullName}: no such directory");
                return 1;
            }
            var source = new ApplicationSource("", ".", "HEAD", null, null,
                new DirectoryOptions(parse.GetValue(recurse), parse.GetValue(include), parse.GetValue(exclude)), null, null);
            try
            {
                var objects = new ManifestRenderer().Render(root.FullName, source);
                Console.Write(string.Join("---\n", objects.Select(o => YamlJson.ToYaml(o))));
                return 0;
            }
            catch (RenderException e)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                return 1;
            }
        });
        return cmd;
    }
}
