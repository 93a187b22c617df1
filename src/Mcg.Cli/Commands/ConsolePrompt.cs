using System.Text;

namespace Mcg.Cli.Commands;

/// <summary>Interactive prompts on the terminal (prompt text on stderr, so stdout stays clean for data).</summary>
public static class ConsolePrompt
{
    public static bool IsInteractive => !Console.IsInputRedirected;

    /// <summary>Reads a line without echoing it (like getpass).</summary>
    public static string ReadHidden(string prompt)
    {
        EnsureInteractive(prompt);
        Console.Error.Write(prompt);
        var sb = new StringBuilder();
        while (true)
        {
            var key = Console.ReadKey(intercept: true);
            if (key.Key == ConsoleKey.Enter)
            {
                break;
            }
            if (key.Key == ConsoleKey.Backspace)
            {
                if (sb.Length > 0)
                {
                    sb.Length--;
                }
                continue;
            }
            if (key.Modifiers.HasFlag(ConsoleModifiers.Control) && key.Key is ConsoleKey.C or ConsoleKey.D)
            {
                Console.Error.WriteLine();
                throw new OperationCanceledException("input cancelled");
            }
            if (key.KeyChar != '\0')
            {
                sb.Append(key.KeyChar);
            }
        }
        Console.Error.WriteLine();
        return sb.ToString();
    }

    /// <summary>Reads a visible line.</summary>
    public static string ReadLine(string prompt)
    {
        EnsureInteractive(prompt);
        Console.Error.Write(prompt);
        return Console.ReadLine() ?? throw new OperationCanceledException("input cancelled");
    }

    private static void EnsureInteractive(string prompt)
    {
        if (!IsInteractive)
        {
            throw new InvalidOperationException($"cannot prompt (\"{prompt.Trim()}\"): standard input is not a terminal");
        }
    }
}
