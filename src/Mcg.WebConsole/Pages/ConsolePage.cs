namespace Mcg.WebConsole.Pages;

/// <summary>
/// A rendered page: its title, the API kinds whose changes should re-fetch it (see <c>/events</c>), and the
/// content of <c>&lt;main&gt;</c> (which is also what <c>?fragment=1</c> returns).
/// </summary>
public sealed record ConsolePage(string Title, string Watch, string Body);
