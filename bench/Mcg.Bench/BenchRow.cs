using System.Globalization;

namespace Mcg.Bench;

/// <summary>One line of the results table: our figure, the peer's (when one runs here), and the target.</summary>
public sealed record BenchRow(string Name, double Ours, string Unit, double? Peer, string Target, bool HigherIsBetter)
{
    public static void Print(IReadOnlyList<BenchRow> rows)
    {
        var header = $"| {"benchmark",-44} | {"mcg",12} | {"peer",12} | {"ratio",7} | {"target",-14} |";
        Console.WriteLine(header);
        Console.WriteLine($"|{new string('-', 46)}|{new string('-', 14)}|{new string('-', 14)}|{new string('-', 9)}|{new string('-', 16)}|");
        foreach (var r in rows)
        {
            var peer = r.Peer is { } p ? Format(p) : "n/a";
            var ratio = r.Peer is { } q && q > 0 ? (r.HigherIsBetter ? r.Ours / q : q / r.Ours).ToString("0.00", CultureInfo.InvariantCulture) : "-";
            Console.WriteLine($"| {r.Name + " (" + r.Unit + ")",-44} | {Format(r.Ours),12} | {peer,12} | {ratio,7} | {r.Target,-14} |");
        }
    }

    private static string Format(double v) => v.ToString(v >= 100 ? "0" : "0.0", CultureInfo.InvariantCulture);
}
