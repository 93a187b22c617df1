using System.Diagnostics;
using System.Text;

namespace Mcg.Secrets.AnsibleVault;

/// <summary>
/// A vault password (ansible's "vault secret"): raw bytes, never empty. Loaded from a string, a password file
/// (stripped like ansible does) or an executable password script (its stdout).
/// </summary>
public sealed class VaultPassword
{
    /// <summary>ansible's <c>ANSIBLE_VAULT_PASSWORD_FILE</c> (DEFAULT_VAULT_PASSWORD_FILE).</summary>
    public const string PasswordFileEnvironmentVariable = "ANSIBLE_VAULT_PASSWORD_FILE";

    private readonly byte[] bytes;

    private VaultPassword(byte[] bytes, string? source)
    {
        this.bytes = bytes;
        Source = source;
    }

    /// <summary>Where the password came from (a file name), for messages; null for literal passwords.</summary>
    public string? Source { get; }

    public ReadOnlySpan<byte> Bytes => bytes;

    /// <summary>A literal password (UTF-8). Leading/trailing whitespace is kept: ansible strips only prompt input and files.</summary>
    public static VaultPassword FromString(string password) => FromBytes(Encoding.UTF8.GetBytes(password), null);

    /// <summary>A password typed at a prompt: stripped of surrounding whitespace as ansible's <c>ask_vault_passwords</c> does.</summary>
    public static VaultPassword FromPrompt(string input) => FromBytes(Encoding.UTF8.GetBytes(input.Trim()), null);

    public static VaultPassword FromBytes(ReadOnlySpan<byte> password, string? source = null)
    {
        if (password.IsEmpty)
        {
            throw new AnsibleVaultException(source is null ? "A vault password must be specified" : $"Invalid vault password was provided from file ({source})");
        }
        return new VaultPassword(password.ToArray(), source);
    }

    /// <summary>
    /// Reads a password file like ansible: an executable file is run and its stdout (stripped of CR/LF) is the password
    /// (a <c>*-client</c> script gets <c>--vault-id ID</c>); otherwise the content stripped of surrounding whitespace.
    /// </summary>
    public static VaultPassword FromFile(string path, string vaultId = AnsibleVaultCipher.DefaultVaultId)
    {
        var full = Path.GetFullPath(PathUtil.ExpandHome(path));
        if (!File.Exists(full))
        {
            throw new AnsibleVaultException($"The vault password file {full} was not found");
        }
        if (IsExecutable(full))
        {
            return FromBytes(StripCrLf(RunScript(full, vaultId)), full);
        }
        byte[] data;
        try
        {
            data = File.ReadAllBytes(full);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new AnsibleVaultException($"Could not read vault password file {full}: {e.Message}", e);
        }
        return FromBytes(StripCrLf(StripWhitespace(data)), full);
    }

    private static bool IsExecutable(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            return false;
        }
        var mode = File.GetUnixFileMode(path);
        return (mode & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0;
    }

    private static byte[] RunScript(string path, string vaultId)
    {
        var name = Path.GetFileNameWithoutExtension(path);
        var client = Path.GetFileName(path).EndsWith("-client", StringComparison.Ordinal) || name.EndsWith("-client", StringComparison.Ordinal);
        var psi = new ProcessStartInfo(path)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (client)
        {
            psi.ArgumentList.Add("--vault-id");
            psi.ArgumentList.Add(vaultId);
        }
        Process process;
        try
        {
            process = Process.Start(psi) ?? throw new AnsibleVaultException($"Problem running vault password script {path}");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new AnsibleVaultException($"Problem running vault password script {path} ({e.Message}). If this is not a script, remove the executable bit from the file.", e);
        }
        using (process)
        {
            using var stdout = new MemoryStream();
            var stderrTask = process.StandardError.ReadToEndAsync();
            process.StandardOutput.BaseStream.CopyTo(stdout);
            process.WaitForExit();
            var stderr = stderrTask.GetAwaiter().GetResult();
            if (process.ExitCode == 2 && client)
            {
                throw new AnsibleVaultException($"Vault password client script {path} did not find a secret for vault-id={vaultId}: {stderr}");
            }
            if (process.ExitCode != 0)
            {
                throw new AnsibleVaultException($"Vault password script {path} returned non-zero ({process.ExitCode}): {stderr}");
            }
            return stdout.ToArray();
        }
    }

    // Python bytes.strip(): ASCII whitespace (space, \t, \n, \r, \v, \f).
    private static byte[] StripWhitespace(byte[] data)
    {
        static bool Ws(byte b) => b is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r' or 0x0b or 0x0c;
        int start = 0, end = data.Length;
        while (start < end && Ws(data[start]))
        {
            start++;
        }
        while (end > start && Ws(data[end - 1]))
        {
            end--;
        }
        return data[start..end];
    }

    private static byte[] StripCrLf(byte[] data)
    {
        int start = 0, end = data.Length;
        while (start < end && data[start] is (byte)'\r' or (byte)'\n')
        {
            start++;
        }
        while (end > start && data[end - 1] is (byte)'\r' or (byte)'\n')
        {
            end--;
        }
        return data[start..end];
    }

    public override string ToString() => Source is null ? "VaultPassword(<literal>)" : $"VaultPassword({Source})";
}
