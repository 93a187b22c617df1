namespace Mcg.Secrets;

/// <summary>Path helpers shared by the Ansible Vault and values-secret code.</summary>
public static class PathUtil
{
    /// <summary>The home directory the way Python's <c>os.path.expanduser</c> finds it: <c>$HOME</c>, else the profile folder.</summary>
    public static string HomeDirectory()
    {
        var home = Environment.GetEnvironmentVariable("HOME");
        return string.IsNullOrEmpty(home) ? Environment.GetFolderPath(Environment.SpecialFolder.UserProfile) : home;
    }

    /// <summary>Expands a leading <c>~</c> or <c>~/</c> (not <c>~user</c>), like <c>os.path.expanduser</c>.</summary>
    public static string ExpandHome(string path, string? home = null)
    {
        if (path == "~")
        {
            return home ?? HomeDirectory();
        }
        if (path.StartsWith("~/", StringComparison.Ordinal))
        {
            var h = home ?? HomeDirectory();
            return h.TrimEnd('/') + path[1..];
        }
        return path;
    }
}
