using System.CommandLine;
using System.Text.Json.Nodes;
using Mcg.Cli.Output;
using Mcg.GitOps.Applications;
using Mcg.GitOps.Controller;
using Mcg.Kube.Client;
using Mcg.Kube.Objects;

namespace Mcg.Cli.Commands;

/// <summary><c>mcg app …</c>: Argo CD Applications, with the output of <c>argocd app</c>.</summary>
public static class AppCommands
{
    private static readonly ResourceRef Apps = ApplicationController.Applications;

    public static Command Create()
    {
        var kube = new KubeOptions();
        var app = new Command("app", "Argo CD Applications: list, inspect, sync, roll back, wait");
        app.Subcommands.Add(List(kube));
        app.Subcommands.Add(Get(kube));
        app.Subcommands.Add(Sync(kube));
        app.Subcommands.Add(History(kube));
        app.Subcommands.Add(Rollback(kube));
        app.Subcommands.Add(Wait(kube));
        app.Subcommands.Add(Terminate(kube));
        app.Subcommands.Add(AppDiffCommand.Create(kube));
        return app;
    }

    private static Option<string> OutputOption() => new("--output", "-o") { Description = "Output format: wide, yaml or json", DefaultValueFactory = _ => "wide" };

    private static Argument<string> NameArgument() => new("name") { Description = "Application name" };

    private static Command List(KubeOptions kube)
    {
        var output = OutputOption();
        var cluster = new Option<string?>("--cluster", "-c") { Description = "Only applications whose destination is this cluster (name or server URL)" };
        var selector = new Option<string?>("--selector", "-l") { Description = "Only applications with these labels (a label selector)" };
        var cmd = new Command("list", "List applications") { output, cluster, selector };
        kube.AddTo(cmd);
        cmd.SetAction(async (parse, ct) =>
        {
            using var client = kube.Connect(parse);
            var apps = (await client.ListAsync(Apps, parse.GetValue(kube.AppNamespace), new ListOptions { LabelSelector = parse.GetValue(selector) }, ct)).Items;
            if (parse.GetValue(cluster) is { } only)
            {
                apps = apps.Where(a => a["spec"]?["destination"]?["name"]?.ToString() == only || a["spec"]?["destination"]?["server"]?.ToString()?.TrimEnd('/') == only.TrimEnd('/')).ToList();
            }
            if (PrintStructured(parse.GetValue(output)!, new JsonArray(apps.Select(a => (JsonNode)a.DeepClone()).ToArray())))
            {
                return 0;
            }
            var table = new TableWriter("NAME", "CLUSTER", "NAMESPACE", "PROJECT", "STATUS", "HEALTH", "SYNCPOLICY", "CONDITIONS", "REPO", "PATH", "TARGET");
            foreach (var a in apps)
            {
                var src = a["spec"]?["source"] ?? a["spec"]?["sources"]?[0];
                table.Add($"{a.Namespace()}/{a.Name()}", a["spec"]?["destination"]?["server"]?.ToString() ?? a["spec"]?["destination"]?["name"]?.ToString(),
                    a["spec"]?["destination"]?["namespace"]?.ToString(), a["spec"]?["project"]?.ToString(), SyncStatus(a), HealthStatus(a),
                    a["spec"]?["syncPolicy"]?["automated"] is null ? "Manual" : "Auto" + (a["spec"]?["syncPolicy"]?["automated"]?["prune"]?.GetValue<bool>() == true ? "-Prune" : ""),
                    Conditions(a), src?["repoURL"]?.ToString(), src?["path"]?.ToString(), src?["targetRevision"]?.ToString() ?? "HEAD");
            }
            table.Write(Console.Out);
            return 0;
        });
        return cmd;
    }

    private static Command Get(KubeOptions kube)
    {
        var output = OutputOption();
        var name = NameArgument();
        var cmd = new Command("get", "Show an application's state and resources") { name, output };
        kube.AddTo(cmd);
        cmd.SetAction(async (parse, ct) =>
        {
            using var client = kube.Connect(parse);
            var a = await Fetch(client, parse, kube, parse.GetValue(name)!, ct);
            if (a is null)
            {
                return 1;
            }
            if (PrintStructured(parse.GetValue(output)!, a))
            {
                return 0;
            }
            var src = a["spec"]?["source"] ?? a["spec"]?["sources"]?[0];
            Console.WriteLine($"Name:               {a.Namespace()}/{a.Name()}");
            Console.WriteLine($"Project:            {a["spec"]?["project"]}");
            Console.WriteLine($"Server:             {a["spec"]?["destination"]?["server"] ?? a["spec"]?["destination"]?["name"]}");
            Console.WriteLine($"Namespace:          {a["spec"]?["destination"]?["namespace"]}");
            Console.WriteLine($"Repo:               {src?["repoURL"]}");
            Console.WriteLine($"Target:             {src?["targetRevision"] ?? "HEAD"}");
            Console.WriteLine($"Path:               {src?["path"]}");
            Console.WriteLine($"SyncWindow:         Sync Allowed");
            Console.WriteLine($"Sync Policy:        {(a["spec"]?["syncPolicy"]?["automated"] is null ? "Manual" : "Automated" + (a["spec"]?["syncPolicy"]?["automated"]?["prune"]?.GetValue<bool>() == true ? " (Prune)" : ""))}");
            Console.WriteLine($"Sync Status:        {SyncStatus(a)} to {src?["targetRevision"] ?? "HEAD"} ({Short(a["status"]?["sync"]?["revision"]?.ToString())})");
            Console.WriteLine($"Health Status:      {HealthStatus(a)}");
            await PrintDeliveryAsync(client, a, ct);
            if (a["status"]?["conditions"] is JsonArray { Count: > 0 } conditions)
            {
                Console.WriteLine();
                var ct2 = new TableWriter("CONDITION", "MESSAGE", "LAST TRANSITION");
                foreach (var c in conditions.OfType<JsonObject>())
                {
                    ct2.Add(c.GetString("type"), c.GetString("message"), c.GetString("lastTransitionTime"));
                }
                ct2.Write(Console.Out);
            }
            if (a["status"]?["operationState"] is JsonObject op)
            {
                Console.WriteLine();
                Console.WriteLine($"Operation:          Sync");
                Console.WriteLine($"Sync Revision:      {op["syncResult"]?["revision"]}");
                Console.WriteLine($"Phase:              {op["phase"]}");
                Console.WriteLine($"Start:              {op["startedAt"]}");
                Console.WriteLine($"Finished:           {op["finishedAt"]}");
                Console.WriteLine($"Message:            {op["message"]}");
            }
            Console.WriteLine();
            var table = new TableWriter("GROUP", "KIND", "NAMESPACE", "NAME", "STATUS", "HEALTH", "HOOK", "MESSAGE");
            var results = (a["status"]?["operationState"]?["syncResult"]?["resources"] as JsonArray)?.OfType<JsonObject>().ToList() ?? [];
            foreach (var r in (a["status"]?["resources"] as JsonArray)?.OfType<JsonObject>() ?? [])
            {
                var message = results.FirstOrDefault(x => x.GetString("kind") == r.GetString("kind") && x.GetString("name") == r.GetString("name")
                    && x.GetString("namespace") == r.GetString("namespace"))?.GetString("message");
                table.Add(r.GetString("group"), r.GetString("kind"), r.GetString("namespace"), r.GetString("name"), r.GetString("status"),
                    r["health"]?["status"]?.ToString(), "", message);
            }
            foreach (var h in results.Where(x => x["hookType"] is not null))
            {
                table.Add(h.GetString("group"), h.GetString("kind"), h.GetString("namespace"), h.GetString("name"), h.GetString("hookPhase"), "", h.GetString("hookType"), h.GetString("message"));
            }
            table.Write(Console.Out);
            return 0;
        });
        return cmd;
    }

    private static Command Sync(KubeOptions kube)
    {
        var name = NameArgument();
        var prune = new Option<bool>("--prune") { Description = "Delete resources that are no longer in Git" };
        var dryRun = new Option<bool>("--dry-run") { Description = "Preview without applying" };
        var revision = new Option<string?>("--revision") { Description = "Sync to this revision instead of the target revision" };
        var async = new Option<bool>("--async") { Description = "Do not wait for the operation to finish" };
        var timeout = new Option<int>("--timeout") { Description = "Seconds to wait (0: forever)", DefaultValueFactory = _ => 0 };
        var cmd = new Command("sync", "Sync an application to its target state") { name, prune, dryRun, revision, async, timeout };
        kube.AddTo(cmd);
        cmd.SetAction(async (parse, ct) =>
        {
            using var client = kube.Connect(parse);
            var sync = ApplicationOperations.Sync(parse.GetValue(prune), parse.GetValue(dryRun), parse.GetValue(revision));
            return await RunOperationAsync(client, parse, kube, parse.GetValue(name)!, sync, parse.GetValue(async), parse.GetValue(timeout), ct);
        });
        return cmd;
    }

    private static Command History(KubeOptions kube)
    {
        var name = NameArgument();
        var output = OutputOption();
        var cmd = new Command("history", "Show the deployment history of an application") { name, output };
        kube.AddTo(cmd);
        cmd.SetAction(async (parse, ct) =>
        {
            using var client = kube.Connect(parse);
            var a = await Fetch(client, parse, kube, parse.GetValue(name)!, ct);
            if (a is null)
            {
                return 1;
            }
            var history = a["status"]?["history"] as JsonArray ?? [];
            if (PrintStructured(parse.GetValue(output)!, history))
            {
                return 0;
            }
            var table = new TableWriter("ID", "DATE", "REVISION");
            foreach (var h in history.OfType<JsonObject>())
            {
                table.Add(h["id"]?.ToString(), h.GetString("deployedAt"), $"{h["source"]?["targetRevision"] ?? "HEAD"} ({Short(h.GetString("revision"))})");
            }
            table.Write(Console.Out);
            return 0;
        });
        return cmd;
    }

    private static Command Rollback(KubeOptions kube)
    {
        var name = NameArgument();
        var id = new Argument<long>("id") { Description = "History id to roll back to (default: the previous one)", Arity = ArgumentArity.ZeroOrOne };
        var async = new Option<bool>("--async") { Description = "Do not wait for the operation to finish" };
        var timeout = new Option<int>("--timeout") { Description = "Seconds to wait (0: forever)", DefaultValueFactory = _ => 0 };
        var cmd = new Command("rollback", "Roll an application back to a deployed revision from its history") { name, id, async, timeout };
        kube.AddTo(cmd);
        cmd.SetAction(async (parse, ct) =>
        {
            using var client = kube.Connect(parse);
            var appName = parse.GetValue(name)!;
            var a = await Fetch(client, parse, kube, appName, ct);
            if (a is null)
            {
                return 1;
            }
            JsonObject sync;
            try
            {
                sync = ApplicationOperations.Rollback(a, parse.GetResult(id) is null ? null : parse.GetValue(id));
            }
            catch (RollbackRefusedException e)
            {
                Console.Error.WriteLine(e.Message);
                return 1;
            }
            return await RunOperationAsync(client, parse, kube, appName, sync, parse.GetValue(async), parse.GetValue(timeout), ct);
        });
        return cmd;
    }

    private static Command Wait(KubeOptions kube)
    {
        var name = NameArgument();
        var health = new Option<bool>("--health") { Description = "Wait for health" };
        var sync = new Option<bool>("--sync") { Description = "Wait for sync" };
        var operation = new Option<bool>("--operation") { Description = "Wait for the pending operation to finish" };
        var timeout = new Option<int>("--timeout") { Description = "Seconds to wait (0: forever)", DefaultValueFactory = _ => 0 };
        var cmd = new Command("wait", "Wait until an application is synced and healthy") { name, health, sync, operation, timeout };
        kube.AddTo(cmd);
        cmd.SetAction(async (parse, ct) =>
        {
            using var client = kube.Connect(parse);
            var (wantHealth, wantSync, wantOp) = (parse.GetValue(health), parse.GetValue(sync), parse.GetValue(operation));
            if (!wantHealth && !wantSync && !wantOp)
            {
                (wantHealth, wantSync, wantOp) = (true, true, true);
            }
            var appName = parse.GetValue(name)!;
            using var deadline = Deadline(parse.GetValue(timeout), ct);
            try
            {
                var final = await ProgressView.ForConsole(["kind", "name", "state", "message"], stateColumn: 2).RunAsync(async report =>
                {
                    while (true)
                    {
                        var a = await Fetch(client, parse, kube, appName, deadline.Token);
                        if (a is null)
                        {
                            return null;
                        }
                        var done = (!wantHealth || HealthStatus(a) == "Healthy") && (!wantSync || SyncStatus(a) == "Synced")
                            && (!wantOp || a["operation"] is null && a["status"]?["operationState"]?["phase"]?.GetValue<string>() != "Running");
                        report(WaitRows(a, done));
                        if (done)
                        {
                            return a;
                        }
                        await Task.Delay(250, deadline.Token);
                    }
                });
                if (final is null)
                {
                    return 1;
                }
                Console.WriteLine($"application '{appName}': sync {SyncStatus(final)}, health {HealthStatus(final)}");
                return 0;
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                Console.Error.WriteLine($"timed out ({parse.GetValue(timeout)}s) waiting for app \"{appName}\" match desired state");
                return 1;
            }
        });
        return cmd;
    }

    /// <summary>What <c>app wait</c> shows: the app (sync, health, operation) and each of its resources not yet Synced and Healthy.</summary>
    private static IReadOnlyList<ProgressRow> WaitRows(JsonObject app, bool done)
    {
        var op = app["status"]?["operationState"] as JsonObject;
        var operation = op is null ? "" : $"operation {op.GetString("phase")}: {op.GetString("message")}";
        var rows = new List<ProgressRow>
        {
            new($"app {app.Name()}: {SyncStatus(app)}/{HealthStatus(app)}{(operation.Length > 0 ? $" ({operation})" : "")}",
                ["app", app.Name() ?? "", $"{SyncStatus(app)}/{HealthStatus(app)}", operation], done),
        };
        foreach (var r in (app["status"]?["resources"] as JsonArray)?.OfType<JsonObject>() ?? [])
        {
            var health = r["health"]?["status"]?.GetValue<string>();
            if (r.GetString("status") == "Synced" && health is null or "Healthy")
            {
                continue;
            }
            var resource = r.GetString("namespace") is { Length: > 0 } ns ? $"{ns}/{r.GetString("name")}" : r.GetString("name") ?? "";
            var state = $"{r.GetString("status")}/{health ?? "-"}";
            var message = r["health"]?["message"]?.GetValue<string>() ?? "";
            rows.Add(new ProgressRow($"  {r.GetString("kind")} {resource}: {state}{(message.Length > 0 ? $" ({message})" : "")}", [r.GetString("kind") ?? "", resource, state, message], false));
        }
        return rows;
    }

    private static Command Terminate(KubeOptions kube)
    {
        var name = NameArgument();
        var cmd = new Command("terminate-op", "Terminate the running operation of an application") { name };
        kube.AddTo(cmd);
        cmd.SetAction(async (parse, ct) =>
        {
            using var client = kube.Connect(parse);
            var appName = parse.GetValue(name)!;
            await client.PatchAsync(Apps, parse.GetValue(kube.AppNamespace), appName, PatchType.Merge,
                new JsonObject { ["status"] = new JsonObject { ["operationState"] = new JsonObject { ["phase"] = "Terminating" } } }, null, ct);
            Console.WriteLine($"Application '{appName}' operation terminating");
            return 0;
        });
        return cmd;
    }

    /// <summary>Sets <c>operation</c>, then (unless async) follows the operation to its end; exit 1 unless it succeeded.</summary>
    private static async Task<int> RunOperationAsync(IKubeClient client, ParseResult parse, KubeOptions kube, string appName, JsonObject sync, bool async, int timeout, CancellationToken ct)
    {
        var ns = parse.GetValue(kube.AppNamespace);
        var before = await Fetch(client, parse, kube, appName, ct);
        if (before is null)
        {
            return 1;
        }
        var startedBefore = before["status"]?["operationState"]?["startedAt"]?.ToString();
        await ApplicationOperations.StartAsync(client, ns!, appName, sync, Environment.UserName, ct);
        if (async)
        {
            return 0;
        }
        using var deadline = Deadline(timeout, ct);
        try
        {
            while (true)
            {
                await Task.Delay(250, deadline.Token);
                var a = await Fetch(client, parse, kube, appName, deadline.Token);
                var state = a?["status"]?["operationState"];
                var phase = state?["phase"]?.GetValue<string>();
                if (a is null || a["operation"] is not null || phase is null or "Running" or "Terminating" || state?["startedAt"]?.ToString() == startedBefore && state?["finishedAt"] is null)
                {
                    continue;
                }
                Console.WriteLine($"Operation:          Sync");
                Console.WriteLine($"Sync Revision:      {state?["syncResult"]?["revision"]}");
                Console.WriteLine($"Phase:              {phase}");
                Console.WriteLine($"Message:            {state?["message"]}");
                var table = new TableWriter("GROUP", "KIND", "NAMESPACE", "NAME", "STATUS", "HOOK", "MESSAGE");
                foreach (var r in (state?["syncResult"]?["resources"] as JsonArray)?.OfType<JsonObject>() ?? [])
                {
                    table.Add(r.GetString("group"), r.GetString("kind"), r.GetString("namespace"), r.GetString("name"), r.GetString("status"), r.GetString("hookType"), r.GetString("message"));
                }
                Console.WriteLine();
                table.Write(Console.Out);
                return phase == "Succeeded" ? 0 : 1;
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            Console.Error.WriteLine($"timed out ({timeout}s) waiting for the sync of \"{appName}\"");
            return 1;
        }
    }

    internal static async Task<JsonObject?> Fetch(IKubeClient client, ParseResult parse, KubeOptions kube, string name, CancellationToken ct)
    {
        var a = await client.GetAsync(Apps, parse.GetValue(kube.AppNamespace), name, ct);
        if (a is null)
        {
            Console.Error.WriteLine($"application \"{name}\" not found in namespace {parse.GetValue(kube.AppNamespace)}");
        }
        return a;
    }

    private static CancellationTokenSource Deadline(int seconds, CancellationToken ct)
    {
        var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        if (seconds > 0)
        {
            cts.CancelAfter(TimeSpan.FromSeconds(seconds));
        }
        return cts;
    }

    private static bool PrintStructured(string format, JsonNode node)
    {
        switch (format)
        {
            case "json":
                Console.WriteLine(node.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true, Encoder = KubeJson.Options.Encoder }));
                return true;
            case "yaml":
                Console.Write(YamlJson.ToYaml(node));
                return true;
            default:
                return false;
        }
    }

    /// <summary>For an app on a managed cluster: the ManifestWork that carries it and what the cluster's agent reports.</summary>
    private static async Task PrintDeliveryAsync(IKubeClient client, JsonObject app, CancellationToken ct)
    {
        if (await AppDelivery.FindAsync(client, app, ct) is not { } delivery)
        {
            return;
        }
        var (work, applied) = (delivery.Work, delivery.Applied);
        var state = work is null ? "not delivered yet"
            : applied is null ? "waiting for the cluster's agent"
            : $"Applied={applied.GetString("status")} (generation {applied["observedGeneration"]} of {work.Metadata()["generation"]}, {work["status"]?["resourceStatus"]?["manifests"]?.AsArray().Count ?? 0} manifests)";
        Console.WriteLine($"Delivered as:       ManifestWork {delivery.Cluster}/{delivery.WorkName}: {state}");
    }

    private static string SyncStatus(JsonObject a) => a["status"]?["sync"]?["status"]?.ToString() ?? "Unknown";

    private static string HealthStatus(JsonObject a) => a["status"]?["health"]?["status"]?.ToString() ?? "Unknown";

    private static string Conditions(JsonObject a) =>
        a["status"]?["conditions"] is JsonArray { Count: > 0 } c ? string.Join(",", c.Select(x => x?["type"]?.ToString())) : "<none>";

    private static string Short(string? sha) => string.IsNullOrEmpty(sha) ? "" : sha[..Math.Min(7, sha.Length)];
}
