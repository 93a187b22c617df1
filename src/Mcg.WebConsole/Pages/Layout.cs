using static Mcg.WebConsole.Pages.Html;

namespace Mcg.WebConsole.Pages;

/// <summary>The page frame: header with the navigation, the live <c>&lt;main&gt;</c>, the script.</summary>
public static class Layout
{
    private static readonly (string Path, string Title)[] Nav =
    [
        ("/", "Overview"), ("/clusters", "Clusters"), ("/apps", "Applications"), ("/governance", "Governance"), ("/secrets", "Secrets"),
    ];

    public static string Render(ConsolePage page, string path, string csrf)
    {
        var links = string.Concat(Nav.Select(n =>
        {
            var active = n.Path == "/" ? path == "/" : path.StartsWith(n.Path, StringComparison.Ordinal);
            return $"""<a href="{n.Path}"{(active ? " class=\"active\"" : "")}>{E(n.Title)}</a>""";
        }));
        return $$"""
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <meta name="csrf-token" content="{{E(csrf)}}">
            <title>{{E(page.Title)}} · mcg</title>
            <link rel="stylesheet" href="/assets/console.css">
            </head>
            <body>
            <header><span class="brand">mcg</span><nav>{{links}}</nav>
            <form method="post" action="/logout" class="logout"><input type="hidden" name="csrf" value="{{E(csrf)}}"><button type="submit">Log out</button></form></header>
            <div id="flash" role="status"></div>
            <main data-watch="{{E(page.Watch)}}">
            {{page.Body}}
            </main>
            <script src="/assets/console.js"></script>
            </body>
            </html>
            """;
    }

    public static string Login(string? error) => $$"""
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>Log in · mcg</title>
        <link rel="stylesheet" href="/assets/console.css">
        </head>
        <body class="login">
        <form method="post" action="/login" class="card">
        <h1>mcg console</h1>
        <p class="muted">Log in with the hub token: the bearer token of the hub kubeconfig (<code>DIR/kubeconfig</code>).</p>
        {{(error is null ? "" : $"""<p class="error">{E(error)}</p>""")}}
        <label for="token">Hub token</label>
        <input id="token" name="token" type="password" autocomplete="current-password" autofocus required>
        <button type="submit">Log in</button>
        </form>
        </body>
        </html>
        """;
}
