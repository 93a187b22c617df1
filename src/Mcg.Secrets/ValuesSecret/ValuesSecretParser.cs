using System.Text;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Mcg.Secrets.ValuesSecret;

/// <summary>How to resolve the values of a values-secret file.</summary>
public sealed class ValuesSecretOptions
{
    /// <summary>What <c>~</c> expands to (default <c>$HOME</c>).</summary>
    public string? HomeDirectory { get; init; }

    /// <summary>What relative <c>path:</c>/<c>ini_file:</c> entries are relative to (default: the current directory, as for ansible-playbook).</summary>
    public string? WorkingDirectory { get; init; }

    /// <summary>Answers <c>onMissingValue: prompt</c> fields; without one, such fields are errors.</summary>
    public ISecretPrompter? Prompter { get; init; }

    /// <summary>Supplies the Ansible Vault password of an encrypted file (asked only when needed).</summary>
    public Func<AnsibleVault.VaultPassword>? PasswordProvider { get; init; }

    internal string Home => HomeDirectory ?? PathUtil.HomeDirectory();

    internal string ResolvePath(string path) => Path.GetFullPath(PathUtil.ExpandHome(path, Home), WorkingDirectory ?? Environment.CurrentDirectory);
}

/// <summary>
/// Parses values-secret files the way the validated patterns' Ansible code does (rhvp.cluster_utils
/// <c>parse_secrets_v2.py</c>, <c>load_secrets_common.py</c>, <c>load_secrets_v1.py</c>) and turns them into a
/// <see cref="SecretsPlan"/>. Every problem is collected before anything is prompted for or written.
/// </summary>
public sealed class ValuesSecretParser
{
    private static readonly HashSet<string> KnownTopKeysV2 =
        ["version", "backingStore", "vaultPolicies", "secrets", "secretStoreNamespace", "defaultLabels", "defaultAnnotations", "bootstrap_secrets"];

    private static readonly HashSet<string> KnownSecretKeys = ["name", "vaultMount", "vaultPrefixes", "fields", "targetNamespaces", "labels", "annotations", "type", "bootstrap"];

    private static readonly HashSet<string> KnownFieldKeys =
        ["name", "value", "path", "ini_file", "ini_section", "ini_key", "onMissingValue", "vaultPolicy", "base64", "override", "description", "prompt"];

    private readonly string source;
    private readonly ValuesSecretOptions options;
    private readonly List<ValuesSecretError> errors = [];
    private readonly List<string> warnings = [];

    private ValuesSecretParser(string source, ValuesSecretOptions options)
    {
        this.source = source;
        this.options = options;
    }

    /// <summary>Parses, validates and resolves a (decrypted) values-secret document.</summary>
    /// <exception cref="ValuesSecretValidationException">Every problem found, each naming the file, secret and field.</exception>
    public static SecretsPlan Parse(string yaml, string source, ValuesSecretOptions? options = null) =>
        new ValuesSecretParser(source, options ?? new ValuesSecretOptions()).Run(yaml);

    private SecretsPlan Run(string yaml)
    {
        var root = Load(yaml);
        if (root is null)
        {
            throw new ValuesSecretValidationException(errors);
        }
        var version = YamlNodes.Version(root);
        var plan = version switch
        {
            "2.0" => ParseV2(root),
            "1.0" => ParseV1(root),
            _ => Fail($"Version {version} is currently not supported (use version: \"2.0\", or leave it out for 1.0)", YamlNodes.Get(root, "version")),
        };
        if (errors.Count > 0 || plan is null)
        {
            throw new ValuesSecretValidationException(errors);
        }
        return plan;
    }

    private SecretsPlan? Fail(string message, YamlNode? node)
    {
        Error(message, node);
        return null;
    }

    private YamlMappingNode? Load(string yaml)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException e)
        {
            errors.Add(new ValuesSecretError(source, e.Start.Line, null, null, $"not valid YAML: {e.InnerException?.Message ?? e.Message}"));
            return null;
        }
        if (stream.Documents.Count == 0 || YamlNodes.IsNull(stream.Documents[0].RootNode))
        {
            return new YamlMappingNode();
        }
        if (stream.Documents[0].RootNode is not YamlMappingNode map)
        {
            errors.Add(new ValuesSecretError(source, stream.Documents[0].RootNode.Start.Line, null, null, "Could not parse the file as a YAML mapping"));
            return null;
        }
        return map;
    }

    private void Error(string message, YamlNode? at, string? secret = null, string? field = null) =>
        errors.Add(new ValuesSecretError(source, at?.Start.Line, secret, field, message));

    // ---------------------------------------------------------------- v2

    private sealed class FieldSpec
    {
        public required string Name { get; init; }
        public required YamlMappingNode Node { get; init; }
        public required string OnMissingValue { get; init; }
        public bool HasValue { get; init; }
        public string? Value { get; init; }
        public bool HasPath { get; init; }
        public string? PathValue { get; init; }
        public string? IniFile { get; init; }
        public string IniSection { get; init; } = "default";
        public string? IniKey { get; init; }
        public string? VaultPolicy { get; init; }
        public bool Base64 { get; init; }
        public bool Override { get; init; }
        public string? PromptText { get; init; }
    }

    private sealed record SecretSpec(string Name, string Mount, IReadOnlyList<string> Prefixes, List<FieldSpec> Fields, YamlNode Node);

    private SecretsPlan? ParseV2(YamlMappingNode root)
    {
        foreach (var (key, _, line) in YamlNodes.Entries(root))
        {
            if (!KnownTopKeysV2.Contains(key))
            {
                warnings.Add($"{source}:{line}: unknown top-level key \"{key}\" ignored");
            }
        }
        if (YamlNodes.Get(root, "backingStore") is { } store && YamlNodes.Text(store) is var backing && backing != "vault")
        {
            Error($"backingStore \"{backing ?? "null"}\" is not supported: secrets are loaded into Vault (backingStore: vault)", store);
        }

        var policies = new List<PasswordPolicy> { new(PasswordPolicies.DefaultPolicyName, PasswordPolicies.DefaultPolicyHcl) };
        if (YamlNodes.Get(root, "vaultPolicies") is { } vp && !YamlNodes.IsNull(vp))
        {
            if (vp is not YamlMappingNode vpMap)
            {
                Error("vaultPolicies must be a mapping of policy name to HCL", vp);
            }
            else
            {
                foreach (var (name, node, _) in YamlNodes.Entries(vpMap))
                {
                    if (YamlNodes.Text(node) is not { } hcl)
                    {
                        Error($"vaultPolicies.{name} must be a string (the password policy HCL)", node);
                        continue;
                    }
                    try
                    {
                        hcl = PythonEscapes.UnicodeEscape(hcl);
                    }
                    catch (FormatException e)
                    {
                        Error($"vaultPolicies.{name}: bad escape sequence: {e.Message}", node);
                    }
                    policies.RemoveAll(p => p.Name == name);
                    policies.Add(new PasswordPolicy(name, hcl));
                }
            }
        }
        var policyNames = policies.Select(p => p.Name).ToHashSet(StringComparer.Ordinal);

        var secretsNode = YamlNodes.Get(root, "secrets");
        if (YamlNodes.IsNull(secretsNode) || secretsNode is YamlSequenceNode { Children.Count: 0 })
        {
            warnings.Add($"{source}: No secrets found");
            return new SecretsPlan(source, "2.0", [], [], warnings);
        }
        if (secretsNode is not YamlSequenceNode seq)
        {
            Error("secrets must be a list", secretsNode);
            return null;
        }

        var specs = new List<SecretSpec>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < seq.Children.Count; i++)
        {
            if (ParseSecret(seq.Children[i], i, policyNames, names) is { } spec)
            {
                specs.Add(spec);
            }
        }

        // Resolve the fields that are valid so far: files and ini keys (collecting their errors too); prompts only once
        // everything else is valid.
        var resolved = new Dictionary<FieldSpec, PlannedField>();
        foreach (var spec in specs)
        {
            foreach (var f in spec.Fields.Where(f => f.OnMissingValue != "prompt"))
            {
                if (ResolveField(spec.Name, f) is { } pf)
                {
                    resolved[f] = pf;
                }
            }
        }
        var promptFields = specs.SelectMany(s => s.Fields.Where(f => f.OnMissingValue == "prompt").Select(f => (s.Name, f))).ToList();
        if (promptFields.Count > 0 && options.Prompter is null)
        {
            foreach (var (secret, f) in promptFields)
            {
                Error("onMissingValue: prompt needs an interactive terminal", f.Node, secret, f.Name);
            }
        }
        if (errors.Count > 0)
        {
            return null;
        }
        foreach (var (secret, f) in promptFields)
        {
            if (Prompt(secret, f) is { } pf)
            {
                resolved[f] = pf;
            }
        }
        if (errors.Count > 0)
        {
            return null;
        }

        var planned = new List<PlannedSecret>();
        foreach (var spec in specs)
        {
            var fields = spec.Fields.Select(f => resolved[f]).ToList();
            foreach (var prefix in spec.Prefixes)
            {
                planned.Add(new PlannedSecret(spec.Name, spec.Mount, $"{prefix}/{spec.Name}", fields));
            }
        }
        return new SecretsPlan(source, "2.0", policies, planned, warnings);
    }

    private SecretSpec? ParseSecret(YamlNode node, int index, HashSet<string> policyNames, HashSet<string> names)
    {
        if (node is not YamlMappingNode map)
        {
            Error($"secrets[{index}] must be a mapping with name and fields", node);
            return null;
        }
        var nameNode = YamlNodes.Get(map, "name");
        var name = YamlNodes.Text(nameNode);
        if (string.IsNullOrEmpty(name))
        {
            Error($"secrets[{index}] is missing name", nameNode ?? map);
            name = $"secrets[{index}]";
        }
        else if (!names.Add(name))
        {
            Error($"You cannot have duplicate secret names: {name}", nameNode, name);
        }
        foreach (var (key, _, line) in YamlNodes.Entries(map))
        {
            if (!KnownSecretKeys.Contains(key))
            {
                warnings.Add($"{source}:{line}: secret \"{name}\": unknown key \"{key}\" ignored");
            }
        }
        if (YamlNodes.Text(YamlNodes.Get(map, "bootstrap"))?.ToLowerInvariant() is "only" or "early" or "early_only")
        {
            warnings.Add($"{source}:{map.Start.Line}: secret \"{name}\": bootstrap-only secret skipped (it is a Kubernetes bootstrap secret, not a Vault secret)");
            return null;
        }

        var mount = "secret";
        if (YamlNodes.Get(map, "vaultMount") is { } mountNode)
        {
            if (YamlNodes.Text(mountNode)?.Trim('/') is { Length: > 0 } m)
            {
                mount = m;
            }
            else
            {
                Error("vaultMount must be a non-empty string", mountNode, name);
            }
        }

        var prefixes = new List<string>();
        var prefixNode = YamlNodes.Get(map, "vaultPrefixes");
        if (prefixNode is null)
        {
            prefixes.Add("hub");
        }
        else if (YamlNodes.IsNull(prefixNode) || prefixNode is YamlSequenceNode { Children.Count: 0 })
        {
            Error("has empty vaultPrefixes", prefixNode, name);
        }
        else if (prefixNode is not YamlSequenceNode prefixSeq)
        {
            Error("vaultPrefixes must be a list", prefixNode, name);
        }
        else
        {
            foreach (var p in prefixSeq.Children)
            {
                if (YamlNodes.Text(p)?.Trim('/') is { Length: > 0 } prefix)
                {
                    if (!prefixes.Contains(prefix))
                    {
                        prefixes.Add(prefix);
                    }
                }
                else
                {
                    Error("vaultPrefixes entries must be non-empty strings", p, name);
                }
            }
        }

        var fields = new List<FieldSpec>();
        var fieldsNode = YamlNodes.Get(map, "fields");
        if (YamlNodes.IsNull(fieldsNode) || fieldsNode is YamlSequenceNode { Children.Count: 0 })
        {
            Error("does not have any fields", fieldsNode ?? map, name);
        }
        else if (fieldsNode is not YamlSequenceNode fieldSeq)
        {
            Error("fields must be a list", fieldsNode, name);
        }
        else
        {
            var fieldNames = new HashSet<string>(StringComparer.Ordinal);
            for (var i = 0; i < fieldSeq.Children.Count; i++)
            {
                var fieldNode = fieldSeq.Children[i];
                if (fieldNode is YamlMappingNode fm && YamlNodes.Text(YamlNodes.Get(fm, "name")) is { Length: > 0 } fieldName && !fieldNames.Add(fieldName))
                {
                    Error($"You cannot have duplicate field names: {fieldName}", fieldNode, name, fieldName);
                }
                if (ParseField(name, fieldNode, i, policyNames) is { } f)
                {
                    fields.Add(f);
                }
            }
        }
        return new SecretSpec(name, mount, prefixes, fields, map);
    }

    private FieldSpec? ParseField(string secret, YamlNode node, int index, HashSet<string> policyNames)
    {
        if (node is not YamlMappingNode f)
        {
            Error($"fields[{index}] must be a mapping", node, secret);
            return null;
        }
        var nameNode = YamlNodes.Get(f, "name");
        var name = YamlNodes.Text(nameNode);
        var ok = true;
        if (string.IsNullOrEmpty(name))
        {
            Error($"fields[{index}] is missing name", nameNode ?? f, secret);
            name = $"fields[{index}]";
            ok = false;
        }
        void Err(string message, YamlNode? at = null)
        {
            Error(message, at ?? f, secret, name);
            ok = false;
        }
        foreach (var (key, _, line) in YamlNodes.Entries(f))
        {
            if (!KnownFieldKeys.Contains(key))
            {
                warnings.Add($"{source}:{line}: secret \"{secret}\" field \"{name}\": unknown key \"{key}\" ignored");
            }
        }

        string? Str(string key)
        {
            var n = YamlNodes.Get(f, key);
            if (n is null || YamlNodes.IsNull(n))
            {
                return null;
            }
            if (n is not YamlScalarNode s)
            {
                Err($"{key} must be a string", n);
                return null;
            }
            return s.Value ?? "";
        }
        bool Flag(string key)
        {
            var n = YamlNodes.Get(f, key);
            if (n is null)
            {
                return false;
            }
            if (YamlNodes.Bool(n) is { } b)
            {
                return b;
            }
            Err($"{key} must be true or false", n);
            return false;
        }

        var omv = Str("onMissingValue") ?? "error";
        if (omv is not ("error" or "generate" or "prompt"))
        {
            Err($"onMissingValue: {omv} is invalid (error, generate or prompt)", YamlNodes.Get(f, "onMissingValue"));
        }
        var value = Str("value");
        var path = Str("path");
        var iniFile = Str("ini_file");
        var iniSection = Str("ini_section") ?? "default";
        var iniKey = Str("ini_key");
        var policy = Str("vaultPolicy");
        var b64 = Flag("base64");
        var ovr = Flag("override");
        var prompt = Str("prompt") ?? Str("description");
        var hasValue = YamlNodes.Has(f, "value");
        var hasPath = YamlNodes.Has(f, "path");
        var hasIni = YamlNodes.Has(f, "ini_file");

        var kinds = new[] { ("value", hasValue), ("path", hasPath), ("ini_file", hasIni) }.Where(k => k.Item2).Select(k => k.Item1).ToList();
        if (kinds.Count > 1)
        {
            Err($"Both '{kinds[0]}' and '{kinds[1]}' cannot be used in field {name}");
        }
        if (hasIni && string.IsNullOrEmpty(iniKey))
        {
            Err("ini_file requires at least ini_key to be defined");
        }
        if (policy is not null && !policyNames.Contains(policy))
        {
            Err($"vaultPolicy is set to {policy} but no such policy exists (defined: {string.Join(", ", policyNames)})", YamlNodes.Get(f, "vaultPolicy"));
        }
        switch (omv)
        {
            case "error":
                if (string.IsNullOrEmpty(value) && string.IsNullOrEmpty(path) && string.IsNullOrEmpty(iniFile))
                {
                    Err("onMissingValue is 'error' and none of value, path or ini_file is set");
                }
                if (!string.IsNullOrEmpty(path) && !File.Exists(options.ResolvePath(path)))
                {
                    Err($"Field has non-existing path: {path}", YamlNodes.Get(f, "path"));
                }
                if (!string.IsNullOrEmpty(iniFile) && !File.Exists(options.ResolvePath(iniFile)))
                {
                    Err($"Field has non-existing ini_file: {iniFile}", YamlNodes.Get(f, "ini_file"));
                }
                if (YamlNodes.Has(f, "override"))
                {
                    Err("'override' attribute requires 'onMissingValue' to be set to 'generate'", YamlNodes.Get(f, "override"));
                }
                break;
            case "generate":
                if (value is not null)
                {
                    Err("onMissingValue is 'generate' but a value is set");
                }
                if (hasPath)
                {
                    Err("onMissingValue is 'generate' but a path is set (generate makes no sense for files)");
                }
                if (hasIni)
                {
                    Err("onMissingValue is 'generate' but an ini_file is set");
                }
                if (policy is null)
                {
                    Err($"onMissingValue is 'generate' but no vaultPolicy is set (e.g. vaultPolicy: {PasswordPolicies.DefaultPolicyName})");
                }
                break;
            case "prompt":
                if (!hasValue && !hasPath)
                {
                    Err("onMissingValue is 'prompt' but neither value nor path is set (use value: null or path: null)");
                }
                if (YamlNodes.Has(f, "override"))
                {
                    Err("'override' attribute requires 'onMissingValue' to be set to 'generate'", YamlNodes.Get(f, "override"));
                }
                break;
        }
        if (!ok)
        {
            return null;
        }
        return new FieldSpec
        {
            Name = name,
            Node = f,
            OnMissingValue = omv,
            HasValue = hasValue,
            Value = value,
            HasPath = hasPath,
            PathValue = path,
            IniFile = iniFile,
            IniSection = iniSection,
            IniKey = iniKey,
            VaultPolicy = policy,
            Base64 = b64,
            Override = ovr,
            PromptText = prompt,
        };
    }

    private PlannedField? ResolveField(string secret, FieldSpec f)
    {
        if (f.OnMissingValue == "generate")
        {
            return new PlannedField(f.Name, FieldSource.Generate, null, f.VaultPolicy, f.Base64, f.Override);
        }
        if (!string.IsNullOrEmpty(f.Value))
        {
            string value;
            try
            {
                value = PythonEscapes.UnicodeEscape(f.Value);
            }
            catch (FormatException e)
            {
                Error($"value has a bad escape sequence ({e.Message}); values go through Python's unicode_escape like upstream, so write a backslash as \\\\",
                    YamlNodes.Get(f.Node, "value"), secret, f.Name);
                return null;
            }
            return new PlannedField(f.Name, FieldSource.Value, Encode(value, f.Base64), null, f.Base64, false);
        }
        if (!string.IsNullOrEmpty(f.PathValue))
        {
            return ReadFileField(secret, f, f.PathValue);
        }
        var iniPath = options.ResolvePath(f.IniFile!);
        IniFile ini;
        try
        {
            ini = IniFile.Load(iniPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            Error($"cannot read ini_file {f.IniFile}: {e.Message}", YamlNodes.Get(f.Node, "ini_file"), secret, f.Name);
            return null;
        }
        string? iniValue;
        try
        {
            iniValue = ini.Get(f.IniSection, f.IniKey!);
        }
        catch (FormatException e)
        {
            Error($"ini_file {f.IniFile}: {e.Message}", YamlNodes.Get(f.Node, "ini_key"), secret, f.Name);
            return null;
        }
        if (iniValue is null)
        {
            Error(ini.HasSection(f.IniSection) || f.IniSection == IniFile.DefaultSection
                ? $"ini_file {f.IniFile} has no key {f.IniKey} in section [{f.IniSection}]"
                : $"ini_file {f.IniFile} has no section [{f.IniSection}]", YamlNodes.Get(f.Node, "ini_key"), secret, f.Name);
            return null;
        }
        return new PlannedField(f.Name, FieldSource.Ini, Encode(iniValue, f.Base64), null, f.Base64, false, $"{f.IniFile} [{f.IniSection}] {f.IniKey}");
    }

    private PlannedField? ReadFileField(string secret, FieldSpec f, string path)
    {
        byte[] data;
        try
        {
            data = File.ReadAllBytes(options.ResolvePath(path));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Error($"cannot read path {path}: {e.Message}", YamlNodes.Get(f.Node, "path"), secret, f.Name);
            return null;
        }
        string value;
        if (f.Base64)
        {
            value = Convert.ToBase64String(data);
        }
        else
        {
            try
            {
                value = new UTF8Encoding(false, true).GetString(data);
            }
            catch (DecoderFallbackException)
            {
                Error($"path {path} is not UTF-8 text; set base64: true to store binary files", YamlNodes.Get(f.Node, "path"), secret, f.Name);
                return null;
            }
        }
        return new PlannedField(f.Name, FieldSource.File, value, null, f.Base64, false, path);
    }

    private PlannedField? Prompt(string secret, FieldSpec f)
    {
        var prompter = options.Prompter!;
        if (f.HasPath)
        {
            var text = f.PromptText ?? $"Type path for file {secret}/{f.Name}";
            var answer = prompter.ReadPath($"{text} [{f.PathValue ?? ""}]: ").Trim();
            var path = answer.Length > 0 ? answer : f.PathValue;
            if (string.IsNullOrEmpty(path) || !File.Exists(options.ResolvePath(path)))
            {
                Error($"File {path} not found", f.Node, secret, f.Name);
                return null;
            }
            return ReadFileField(secret, f, path);
        }
        var secretText = f.PromptText ?? $"Type secret for {secret}/{f.Name}";
        var input = prompter.ReadSecret(f.Value is null ? $"{secretText}: " : $"{secretText} [{f.Value}]: ");
        var value = input.Length > 0 ? input : f.Value;
        if (string.IsNullOrEmpty(value))
        {
            Error("no value was entered at the prompt", f.Node, secret, f.Name);
            return null;
        }
        return new PlannedField(f.Name, FieldSource.Prompt, Encode(value, f.Base64), null, f.Base64, false);
    }

    private static string Encode(string value, bool base64) => base64 ? Convert.ToBase64String(Encoding.UTF8.GetBytes(value)) : value;

    // ---------------------------------------------------------------- v1

    private SecretsPlan? ParseV1(YamlMappingNode root)
    {
        if (!YamlNodes.Has(root, "secrets") && !YamlNodes.Has(root, "files"))
        {
            Error("Values secrets file does not contain 'secrets' or 'files' keys", root);
            return null;
        }
        var plain = new[] { YamlNodes.Get(root, "secrets"), YamlNodes.Get(root, "files") };
        if (plain.Any(n => n is YamlSequenceNode))
        {
            Error("Neither 'secrets' nor 'files' can be lists", plain.First(n => n is YamlSequenceNode));
            return null;
        }
        if (plain.All(n => YamlNodes.IsNull(n) || n is YamlMappingNode { Children.Count: 0 }))
        {
            Error("Neither 'secrets' nor 'files' have any secrets to be parsed", root);
            return null;
        }

        var planned = new List<PlannedSecret>();
        var filePlans = new List<PlannedSecret>();
        foreach (var (key, node, line) in YamlNodes.Entries(root))
        {
            if (key == "version")
            {
                continue;
            }
            var kind = key.StartsWith("secrets", StringComparison.Ordinal) ? "secrets" : key.StartsWith("files", StringComparison.Ordinal) ? "files" : null;
            if (kind is null)
            {
                warnings.Add($"{source}:{line}: unknown top-level key \"{key}\" ignored");
                continue;
            }
            string prefix;
            if (key == kind)
            {
                prefix = "hub";
            }
            else if (key[kind.Length] == '.' && key.Length > kind.Length + 1)
            {
                prefix = key[(kind.Length + 1)..];
            }
            else
            {
                Error($"values-secrets.yaml key is non-conformant: {key}", node);
                continue;
            }
            if (YamlNodes.IsNull(node))
            {
                continue;
            }
            if (node is not YamlMappingNode entries)
            {
                Error($"'{key}' must be a mapping", node);
                continue;
            }
            foreach (var (name, value, _) in YamlNodes.Entries(entries))
            {
                var secret = kind == "secrets" ? V1Secret(name, value, prefix) : V1File(name, value, prefix);
                if (secret is not null)
                {
                    (kind == "secrets" ? planned : filePlans).Add(secret);
                }
            }
        }
        // load_secrets_v1 pushes every 'secrets*' entry first, then every 'files*' entry.
        planned.AddRange(filePlans);
        return errors.Count > 0 ? null : new SecretsPlan(source, "1.0", [], planned, warnings);
    }

    private PlannedSecret? V1Secret(string name, YamlNode node, string prefix)
    {
        if (node is not YamlMappingNode map)
        {
            Error("Each key under 'secrets' needs to point to a dictionary of key value pairs", node, name);
            return null;
        }
        var fields = new List<PlannedField>();
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value, _) in YamlNodes.Entries(map))
        {
            if (value is not YamlScalarNode || YamlNodes.Text(value) is not { } text)
            {
                Error("must be a string (or number)", value, name, key);
                continue;
            }
            values[key] = text;
            fields.Add(new PlannedField(key, FieldSource.Value, text, null, false, false));
        }
        if (map.Children.Count == 0)
        {
            Error("has no keys", node, name);
        }
        // load_secrets_v1 sanitize_values: derive s3Secret from s3.accessKey and s3.secretKey.
        if (values.TryGetValue("s3.accessKey", out var access) && values.TryGetValue("s3.secretKey", out var secretKey) && !values.ContainsKey("s3Secret"))
        {
            var s3 = Convert.ToBase64String(Encoding.UTF8.GetBytes($"s3.accessKey: {access}\ns3.secretKey: {secretKey}"));
            fields.Add(new PlannedField("s3Secret", FieldSource.Value, s3, null, true, false, "derived from s3.accessKey and s3.secretKey"));
        }
        return new PlannedSecret(name, "secret", $"{prefix}/{name}", fields);
    }

    private PlannedSecret? V1File(string name, YamlNode node, string prefix)
    {
        if (YamlNodes.Text(node) is not { Length: > 0 } path)
        {
            Error("must be a file path", node, name);
            return null;
        }
        var full = options.ResolvePath(path);
        if (!File.Exists(full))
        {
            Error($"File {path} does not exist", node, name);
            return null;
        }
        byte[] data;
        try
        {
            data = File.ReadAllBytes(full);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Error($"cannot read {path}: {e.Message}", node, name);
            return null;
        }
        // 'vault kv put ... b64content=- content=@file': the raw bytes base64-encoded, and the content as text.
        return new PlannedSecret(name, "secret", $"{prefix}/{name}",
        [
            new PlannedField("b64content", FieldSource.File, Convert.ToBase64String(data), null, true, false, path),
            new PlannedField("content", FieldSource.File, Encoding.UTF8.GetString(data), null, false, false, path),
        ]);
    }
}
