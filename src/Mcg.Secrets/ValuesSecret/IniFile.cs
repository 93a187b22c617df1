using System.Text;
using System.Text.RegularExpressions;

namespace Mcg.Secrets.ValuesSecret;

/// <summary>
/// The subset of Python's <c>configparser.ConfigParser()</c> defaults that upstream's <c>get_ini_value</c> relies on
/// (e.g. for <c>~/.aws/credentials</c>): <c>=</c> or <c>:</c> delimiters, full-line <c>#</c>/<c>;</c> comments,
/// indented continuation lines, case-insensitive keys, case-sensitive sections, the <c>DEFAULT</c> section as fallback,
/// strict duplicate checks and <c>%(name)s</c>/<c>%%</c> basic interpolation.
/// </summary>
public sealed partial class IniFile
{
    public const string DefaultSection = "DEFAULT";
    private readonly Dictionary<string, Dictionary<string, string>> sections = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> defaults = new(StringComparer.Ordinal);

    private IniFile()
    {
    }

    [GeneratedRegex(@"^\[(?<header>.+)\]")]
    private static partial Regex SectionRegex();

    [GeneratedRegex(@"^(?<option>.*?)\s*(?<vi>[=:])\s*(?<value>.*)$")]
    private static partial Regex OptionRegex();

    [GeneratedRegex(@"%\((?<name>[^)]*)\)s|%%|%")]
    private static partial Regex InterpolationRegex();

    /// <exception cref="FormatException">A parse error (missing section header, duplicate section or option, bad line).</exception>
    public static IniFile Parse(string text, string source = "<ini>")
    {
        var ini = new IniFile();
        Dictionary<string, List<string>>? current = null;
        var raw = new List<(string Name, Dictionary<string, List<string>> Options)>();
        var seenSections = new HashSet<string>(StringComparer.Ordinal);
        var defaultsRaw = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        string? option = null;
        var indent = int.MaxValue;
        var lines = text.TrimStart('\uFEFF').Replace("\r\n", "\n").Split('\n');
        for (var n = 0; n < lines.Length; n++)
        {
            var line = lines[n];
            var trimmed = line.Trim();
            var isComment = trimmed.StartsWith('#') || trimmed.StartsWith(';');
            var value = isComment ? "" : trimmed;
            if (value.Length == 0)
            {
                if (!isComment && current is not null && option is not null)
                {
                    current[option].Add("");
                }
                continue;
            }
            var lineIndent = line.Length - line.TrimStart().Length;
            if (current is not null && option is not null && lineIndent > indent)
            {
                current[option].Add(value);
                continue;
            }
            indent = lineIndent;
            var section = SectionRegex().Match(value);
            if (section.Success)
            {
                var name = section.Groups["header"].Value;
                if (name == DefaultSection)
                {
                    current = defaultsRaw;
                }
                else
                {
                    if (!seenSections.Add(name))
                    {
                        throw new FormatException($"{source}: line {n + 1}: section '{name}' already exists");
                    }
                    current = new Dictionary<string, List<string>>(StringComparer.Ordinal);
                    raw.Add((name, current));
                }
                option = null;
                continue;
            }
            if (current is null)
            {
                throw new FormatException($"{source}: line {n + 1}: file contains no section headers");
            }
            var opt = OptionRegex().Match(value);
            if (!opt.Success || opt.Groups["option"].Value.TrimEnd().Length == 0)
            {
                throw new FormatException($"{source}: line {n + 1}: cannot parse \"{value}\"");
            }
            option = opt.Groups["option"].Value.TrimEnd().ToLowerInvariant();
            if (current.ContainsKey(option))
            {
                throw new FormatException($"{source}: line {n + 1}: option '{option}' already exists in its section");
            }
            current[option] = [opt.Groups["value"].Value.Trim()];
        }
        foreach (var (k, v) in defaultsRaw)
        {
            ini.defaults[k] = string.Join('\n', v).TrimEnd();
        }
        foreach (var (name, options) in raw)
        {
            ini.sections[name] = options.ToDictionary(o => o.Key, o => string.Join('\n', o.Value).TrimEnd(), StringComparer.Ordinal);
        }
        return ini;
    }

    public static IniFile Load(string path) => Parse(File.ReadAllText(path, Encoding.UTF8), path);

    public bool HasSection(string section) => sections.ContainsKey(section);

    /// <summary>
    /// <c>config.get(section, key, fallback=None)</c>: null when the section or key is missing; the <c>DEFAULT</c> section
    /// supplies keys to every section.
    /// </summary>
    /// <exception cref="FormatException">A bad interpolation (<c>%</c> not followed by <c>%</c> or <c>(name)s</c>, a missing reference, too deep).</exception>
    public string? Get(string section, string key)
    {
        var values = section == DefaultSection ? defaults : sections.GetValueOrDefault(section);
        if (values is null)
        {
            return null;
        }
        var k = key.ToLowerInvariant();
        var raw = values.TryGetValue(k, out var v) ? v : defaults.GetValueOrDefault(k);
        return raw is null ? null : Interpolate(section, k, raw, 1);
    }

    private string Interpolate(string section, string key, string value, int depth)
    {
        if (depth > 10)
        {
            throw new FormatException($"interpolation too deep for option '{key}' in section '{section}'");
        }
        return InterpolationRegex().Replace(value, m =>
        {
            if (m.Value == "%%")
            {
                return "%";
            }
            if (m.Value == "%")
            {
                throw new FormatException($"'%' must be followed by '%' or '(' in option '{key}' of section '{section}'");
            }
            var name = m.Groups["name"].Value.ToLowerInvariant();
            var values = section == DefaultSection ? defaults : sections[section];
            var refValue = values.TryGetValue(name, out var v) ? v : defaults.GetValueOrDefault(name)
                ?? throw new FormatException($"option '{key}' in section '{section}' references missing option '{name}'");
            return Interpolate(section, name, refValue, depth + 1);
        });
    }
}
