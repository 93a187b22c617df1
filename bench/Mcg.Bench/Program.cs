using Mcg.Bench;

var which = args.Length > 0 ? args[0] : "all";
var rows = new List<BenchRow>();
if (which is "all" or "apiserver")
{
    rows.AddRange(await ApiServerBench.RunAsync(args.Skip(1).ToArray()));
}
if (which is "all" or "render")
{
    rows.AddRange(await RenderBench.RunAsync(args.Skip(1).ToArray()));
}
if (which is "all" or "gitops")
{
    rows.AddRange(await GitOpsBench.RunAsync(args.Skip(1).ToArray()));
}
if (which is "all" or "vault")
{
    rows.AddRange(await VaultBench.RunAsync(args.Skip(1).ToArray()));
}
if (which is "secrets-propagation")
{
    rows.AddRange(await SecretsPropagationBench.RunAsync(args.Skip(1).ToArray()));
}
if (which is "fleet")
{
    rows.AddRange(await FleetBench.RunAsync(args.Skip(1).ToArray()));
}
if (which is "all" or "storage")
{
    rows.AddRange(await StorageBench.RunAsync(args.Skip(1).ToArray()));
}
if (rows.Count == 0)
{
    Console.Error.WriteLine("usage: Mcg.Bench [all|apiserver|render|gitops|vault|storage|secrets-propagation|fleet] [--quick] [--clusters N[,N]] [--hold SECONDS]");
    return 2;
}
BenchRow.Print(rows);
return 0;
