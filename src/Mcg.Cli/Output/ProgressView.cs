using Spectre.Console;

namespace Mcg.Cli.Output;

/// <summary>One line of progress: its plain-text form (empty: not worth a line yet), its cells in the live table, and whether it is done/good.</summary>
public sealed record ProgressRow(string Line, IReadOnlyList<string> Cells, bool Good);

/// <summary>
/// Live progress of a long operation: a table redrawn in place (Spectre.Console) when stdout is an interactive
/// terminal, otherwise each row's line printed once whenever it changes (logs, CI, pipes).
/// </summary>
public abstract class ProgressView
{
    /// <param name="columns">The live table's headers.</param>
    /// <param name="stateColumn">The column coloured green when its row is good, yellow otherwise.</param>
    public static ProgressView ForConsole(IReadOnlyList<string> columns, int stateColumn) =>
        Console.IsOutputRedirected || !AnsiConsole.Profile.Capabilities.Interactive
            ? new PlainProgressView(Console.Out)
            : new LiveProgressView(columns, stateColumn);

    /// <summary>Runs <paramref name="body"/>, which reports the current rows through the callback it is given.</summary>
    public abstract Task<T> RunAsync<T>(Func<Action<IReadOnlyList<ProgressRow>>, Task<T>> body);

    public Task RunAsync(Func<Action<IReadOnlyList<ProgressRow>>, Task> body) => RunAsync(async report =>
    {
        await body(report);
        return true;
    });
}

public sealed class PlainProgressView(TextWriter output) : ProgressView
{
    public override Task<T> RunAsync<T>(Func<Action<IReadOnlyList<ProgressRow>>, Task<T>> body)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        return body(rows =>
        {
            foreach (var row in rows)
            {
                if (row.Line.Length > 0 && seen.Add(row.Line))
                {
                    output.WriteLine(row.Line);
                }
            }
        });
    }
}

public sealed class LiveProgressView(IReadOnlyList<string> columns, int stateColumn) : ProgressView
{
    public override Task<T> RunAsync<T>(Func<Action<IReadOnlyList<ProgressRow>>, Task<T>> body)
    {
        var table = new Table().AddColumns([.. columns]);
        return AnsiConsole.Live(table).AutoClear(false).StartAsync(ctx => body(rows =>
        {
            table.Rows.Clear();
            foreach (var row in rows)
            {
                table.AddRow(row.Cells.Select((cell, i) => i == stateColumn
                    ? (Spectre.Console.Rendering.IRenderable)new Markup($"[{(row.Good ? "green" : "yellow")}]{Markup.Escape(cell)}[/]")
                    : new Text(cell.Length > 80 ? cell[..80] + "…" : cell)));
            }
            ctx.Refresh();
        }));
    }
}
