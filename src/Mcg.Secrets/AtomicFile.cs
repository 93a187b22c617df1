namespace Mcg.Secrets;

/// <summary>Atomic file replacement: write a temp file next to the target, flush it, then rename it over the target.</summary>
public static class AtomicFile
{
    /// <summary>Mode of files that did not exist before (ansible writes vault files 0600).</summary>
    public const UnixFileMode NewFileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>
    /// Replaces <paramref name="path"/> with <paramref name="data"/>. A symlink is followed (its target is replaced, the link
    /// stays); an existing file keeps its permission bits; a new file is created 0600. Readers see the old or the new
    /// content, never a partial write.
    /// </summary>
    public static void WriteAllBytes(string path, ReadOnlySpan<byte> data)
    {
        var target = ResolveLinks(Path.GetFullPath(path));
        var dir = Path.GetDirectoryName(target) ?? ".";
        UnixFileMode? mode = null;
        if (File.Exists(target) && !OperatingSystem.IsWindows())
        {
            mode = File.GetUnixFileMode(target);
        }
        var temp = Path.Combine(dir, $".{Path.GetFileName(target)}.{Guid.NewGuid():N}.tmp");
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = NewFileMode;
            }
            using (var fs = new FileStream(temp, options))
            {
                fs.Write(data);
                fs.Flush(flushToDisk: true);
            }
            if (mode is { } m && !OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(temp, m);
            }
            File.Move(temp, target, overwrite: true);
        }
        catch
        {
            try
            {
                File.Delete(temp);
            }
            catch (IOException)
            {
            }
            throw;
        }
    }

    private static string ResolveLinks(string path)
    {
        var info = new FileInfo(path);
        if (info.Exists && info.LinkTarget is not null && info.ResolveLinkTarget(returnFinalTarget: true) is { } final)
        {
            return Path.GetFullPath(final.FullName);
        }
        return path;
    }
}
