using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Mcg.Kube.Objects;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Mcg.Secrets.AnsibleVault;

/// <summary>
/// Inline vault values in YAML: scalars tagged <c>!vault</c> (or <c>!vault-encrypted</c>) holding vault text, as
/// written by <c>ansible-vault encrypt_string</c>.
/// </summary>
public static class AnsibleVaultYaml
{
    public const string Tag = "!vault";
    public const string LegacyTag = "!vault-encrypted";
    private const int EncryptStringIndent = 10;

    /// <summary>True when the YAML has at least one <c>!vault</c> scalar.</summary>
    public static bool ContainsVaultValues(string yaml) => FindVaultScalars(yaml, "<input>").Count > 0;

    /// <summary>
    /// Returns <paramref name="yaml"/> with every <c>!vault</c> scalar replaced by its plaintext as a double-quoted YAML
    /// string; everything else (comments, order, formatting, anchors) is kept byte for byte.
    /// </summary>
    public static string Decrypt(string yaml, VaultPassword password, string source = "<input>")
    {
        var scalars = FindVaultScalars(yaml, source);
        if (scalars.Count == 0)
        {
            return yaml;
        }
        var sb = new StringBuilder(yaml.Length);
        var pos = 0;
        foreach (var s in scalars)
        {
            sb.Append(yaml, pos, s.Start - pos);
            var region = yaml[s.Start..s.End];
            var (kept, _) = SplitProperties(region);
            var end = s.End;
            while (end > s.Start && char.IsWhiteSpace(yaml[end - 1]))
            {
                end--;
            }
            var where = $"{source}: line {s.Line}";
            string plaintext;
            try
            {
                plaintext = AnsibleVaultCipher.DecryptString(s.Value, password, where);
            }
            catch (AnsibleVaultException e) when (e is not AnsibleVaultDecryptionException && !AnsibleVaultCipher.IsEncrypted(s.Value))
            {
                throw new AnsibleVaultFormatException($"{where}: the !vault value is not vault encrypted data");
            }
            sb.Append(kept).Append(Quote(plaintext));
            pos = end;
        }
        sb.Append(yaml, pos, yaml.Length - pos);
        return sb.ToString();
    }

    /// <summary>Parses one YAML document into JSON, decrypting <c>!vault</c> values (they become strings).</summary>
    public static JsonNode? Load(string yaml, VaultPassword? password, string source = "<input>")
    {
        if (password is null)
        {
            if (ContainsVaultValues(yaml))
            {
                throw new AnsibleVaultException($"{source}: contains !vault values but no vault password was given");
            }
            return YamlJson.Parse(yaml, source);
        }
        return YamlJson.Parse(Decrypt(yaml, password, source), source);
    }

    /// <summary>
    /// The <c>ansible-vault encrypt_string</c> output: <c>NAME: !vault |</c> (or <c>!vault |</c> without a name) and
    /// the vault text indented by 10 spaces, without a trailing newline.
    /// </summary>
    public static string FormatEncryptedString(string vaultText, string? name = null)
    {
        var sb = new StringBuilder();
        if (!string.IsNullOrEmpty(name))
        {
            sb.Append(name).Append(": ");
        }
        sb.Append(Tag).Append(" |");
        foreach (var line in vaultText.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            sb.Append('\n').Append(' ', EncryptStringIndent).Append(line.TrimEnd('\r'));
        }
        return sb.ToString();
    }

    /// <summary>Encrypts a value and formats it like <c>ansible-vault encrypt_string</c>.</summary>
    public static string EncryptString(string plaintext, VaultPassword password, string? name = null, string? vaultId = null) =>
        FormatEncryptedString(AnsibleVaultCipher.Encrypt(Encoding.UTF8.GetBytes(plaintext), password, vaultId), name);

    private sealed record VaultScalar(int Start, int End, long Line, string Value);

    private static List<VaultScalar> FindVaultScalars(string yaml, string source)
    {
        var result = new List<VaultScalar>();
        if (!yaml.Contains(Tag, StringComparison.Ordinal))
        {
            return result;
        }
        var parser = new Parser(new StringReader(yaml));
        try
        {
            while (parser.MoveNext())
            {
                switch (parser.Current)
                {
                    case Scalar s when !s.Tag.IsEmpty && s.Tag.Value is Tag or LegacyTag:
                        result.Add(new VaultScalar((int)s.Start.Index, (int)s.End.Index, s.Start.Line, s.Value));
                        break;
                    case NodeEvent n when !n.Tag.IsEmpty && n.Tag.Value is Tag or LegacyTag:
                        throw new AnsibleVaultFormatException($"{source}: line {n.Start.Line}: !vault must tag a scalar");
                }
            }
        }
        catch (YamlException e)
        {
            throw new FormatException($"{source}: line {e.Start.Line}: {e.InnerException?.Message ?? e.Message}", e);
        }
        return result;
    }

    // Node properties before the scalar: anchors are kept, the tag is dropped.
    private static (string Kept, int ValueOffset) SplitProperties(string region)
    {
        var kept = new StringBuilder();
        var i = 0;
        while (i < region.Length && region[i] is '&' or '!')
        {
            var start = i;
            while (i < region.Length && !char.IsWhiteSpace(region[i]))
            {
                i++;
            }
            if (region[start] == '&')
            {
                kept.Append(region, start, i - start).Append(' ');
            }
            while (i < region.Length && char.IsWhiteSpace(region[i]))
            {
                i++;
            }
        }
        return (kept.ToString(), i);
    }

    /// <summary>A YAML double-quoted scalar; line breaks and control characters are escaped so the value stays on one line.</summary>
    internal static string Quote(string value)
    {
        var sb = new StringBuilder(value.Length + 2).Append('"');
        foreach (var c in value)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                case '\0': sb.Append("\\0"); break;
                case '\u0085': sb.Append("\\N"); break;
                case '\u2028': sb.Append("\\L"); break;
                case '\u2029': sb.Append("\\P"); break;
                case '\uFEFF': sb.Append("\\uFEFF"); break;
                default:
                    if (c < 0x20 || c == 0x7F)
                    {
                        sb.Append("\\x").Append(((int)c).ToString("x2", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        sb.Append(c);
                    }
                    break;
            }
        }
        return sb.Append('"').ToString();
    }
}
