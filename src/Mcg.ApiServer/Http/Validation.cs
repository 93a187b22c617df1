using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Mcg.ApiServer.Resources;
using Mcg.Kube.Objects;

namespace Mcg.ApiServer.Http;

/// <summary>
/// The validation every write gets upstream beyond the name: ObjectMeta (labels, annotations, owner references,
/// finalizers) and the immutable fields of a few kinds, answered as 422 Invalid with apimachinery's wording.
/// </summary>
public static partial class Validation
{
    private const int AnnotationsSizeLimit = 256 * 1024;

    private const string QualifiedNameRule =
        "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";

    private const string LabelValueRule =
        "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

    private const string SubdomainRule =
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

    /// <summary>Throws 422 when the object's metadata is invalid (ValidateObjectMeta).</summary>
    public static void ValidateMetadata(ResourceType rt, JsonObject obj)
    {
        var meta = obj.Metadata();
        var errors = new List<(string Field, string Reason, string Message)>();
        if (meta["labels"] is JsonObject labels)
        {
            foreach (var (key, value) in labels)
            {
                errors.AddRange(QualifiedName(key).Select(m => Invalid("metadata.labels", key, m)));
                var text = value is JsonValue v && v.TryGetValue<string>(out var s) ? s : value?.ToJsonString() ?? "";
                if (text.Length > 63)
                {
                    errors.Add(Invalid("metadata.labels", text, "must be no more than 63 characters"));
                }
                if (!LabelValue().IsMatch(text))
                {
                    errors.Add(Invalid("metadata.labels", text, LabelValueRule));
                }
            }
        }
        if (meta["annotations"] is JsonObject annotations)
        {
            long size = 0;
            foreach (var (key, value) in annotations)
            {
                errors.AddRange(QualifiedName(key.ToLowerInvariant()).Select(m => Invalid("metadata.annotations", key, m)));
                size += key.Length + (value is JsonValue v && v.TryGetValue<string>(out var s) ? Encoding.UTF8.GetByteCount(s) : 0);
            }
            if (size > AnnotationsSizeLimit)
            {
                errors.Add(("metadata.annotations", "FieldValueTooLong", $"Too long: may not be more than {AnnotationsSizeLimit} bytes"));
            }
        }
        if (meta["ownerReferences"] is JsonArray owners)
        {
            foreach (var owner in owners.OfType<JsonObject>())
            {
                var gvk = GroupVersionKind.FromApiVersion(owner.GetString("apiVersion") ?? "", owner.GetString("kind") ?? "");
                if (gvk.Version.Length == 0)
                {
                    errors.Add(Invalid("metadata.ownerReferences.apiVersion", owner.GetString("apiVersion") ?? "", "version must not be empty"));
                }
                if (gvk.Kind.Length == 0)
                {
                    errors.Add(Invalid("metadata.ownerReferences.kind", owner.GetString("kind") ?? "", "kind must not be empty"));
                }
                if (string.IsNullOrEmpty(owner.GetString("name")))
                {
                    errors.Add(Invalid("metadata.ownerReferences.name", "", "name must not be empty"));
                }
                if (string.IsNullOrEmpty(owner.GetString("uid")))
                {
                    errors.Add(Invalid("metadata.ownerReferences.uid", "", "uid must not be empty"));
                }
            }
            var controllers = owners.OfType<JsonObject>().Where(o => o["controller"] is JsonValue c && c.TryGetValue<bool>(out var b) && b).ToList();
            if (controllers.Count > 1)
            {
                errors.Add(Invalid("metadata.ownerReferences", "", "Only one reference can have Controller set to true. Found \"true\" in references for "
                    + string.Join(" and ", controllers.Select(c => $"{c.GetString("kind")}/{c.GetString("name")}"))));
            }
        }
        foreach (var finalizer in obj.Finalizers())
        {
            errors.AddRange(QualifiedName(finalizer).Select(m => Invalid("metadata.finalizers", finalizer, m)));
        }
        Throw(rt, obj, errors);
    }

    /// <summary>
    /// Throws 400 when metadata fields have the wrong JSON type, as decoding into ObjectMeta fails upstream
    /// (<c>ConfigMap in version "v1" cannot be handled as a ConfigMap: json: cannot unmarshal …</c>).
    /// </summary>
    public static void CheckMetadataTypes(ResourceType rt, JsonObject meta)
    {
        foreach (var field in new[] { "name", "namespace", "generateName", "uid", "resourceVersion", "creationTimestamp", "deletionTimestamp" })
        {
            Expect(rt, meta[field], field, "string", n => n is JsonValue v && v.GetValueKind() == System.Text.Json.JsonValueKind.String);
        }
        foreach (var field in new[] { "labels", "annotations" })
        {
            Expect(rt, meta[field], field, "map[string]string", n => n is JsonObject);
            foreach (var (_, value) in meta[field] as JsonObject ?? [])
            {
                Expect(rt, value, field, "string", n => n is JsonValue v && v.GetValueKind() == System.Text.Json.JsonValueKind.String);
            }
        }
        Expect(rt, meta["finalizers"], "finalizers", "[]string", n => n is JsonArray a && a.All(f => f is JsonValue v && v.GetValueKind() == System.Text.Json.JsonValueKind.String));
        Expect(rt, meta["ownerReferences"], "ownerReferences", "[]v1.OwnerReference", n => n is JsonArray a && a.All(o => o is JsonObject));
        foreach (var owner in (meta["ownerReferences"] as JsonArray)?.OfType<JsonObject>() ?? [])
        {
            foreach (var field in new[] { "apiVersion", "kind", "name", "uid" })
            {
                Expect(rt, owner[field], $"ownerReferences.{field}", "string", n => n is JsonValue v && v.GetValueKind() == System.Text.Json.JsonValueKind.String);
            }
        }
    }

    private static void Expect(ResourceType rt, JsonNode? node, string field, string goType, Func<JsonNode, bool> ok)
    {
        if (node is not null && !ok(node))
        {
            var jsonType = node.GetValueKind() switch
            {
                System.Text.Json.JsonValueKind.Object => "object",
                System.Text.Json.JsonValueKind.Array => "array",
                System.Text.Json.JsonValueKind.String => "string",
                System.Text.Json.JsonValueKind.Number => "number",
                _ => "bool",
            };
            throw ApiException.BadRequest($"{rt.Kind} in version \"{rt.Version}\" cannot be handled as a {rt.Kind}: json: cannot unmarshal {jsonType} into Go struct field ObjectMeta.metadata.{field} of type {goType}");
        }
    }

    /// <summary>Throws 422 when an update changes what the kind makes immutable.</summary>
    public static void ValidateImmutable(ResourceType rt, JsonObject current, JsonObject next)
    {
        if (!rt.BuiltIn)
        {
            return;
        }
        var errors = new List<(string Field, string Reason, string Message)>();
        switch (rt.Group, rt.Plural)
        {
            case ("apps", "deployments" or "replicasets" or "statefulsets" or "daemonsets"):
                if (!JsonNode.DeepEquals(current["spec"]?["selector"], next["spec"]?["selector"]))
                {
                    errors.Add(("spec.selector", "FieldValueInvalid", $"Invalid value: {GoLabelSelector(next["spec"]?["selector"])}: field is immutable"));
                }
                break;
            case ("batch", "jobs"):
                foreach (var field in new[] { "selector", "template" })
                {
                    if (!JsonNode.DeepEquals(current["spec"]?[field], next["spec"]?[field]))
                    {
                        errors.Add(($"spec.{field}", "FieldValueInvalid", $"Invalid value: {KubeJson.Serialize(next["spec"]?[field])}: field is immutable"));
                    }
                }
                break;
            case ("", "configmaps" or "secrets"):
                if (current["immutable"] is JsonValue was && was.TryGetValue<bool>(out var immutable) && immutable)
                {
                    if (!(next["immutable"] is JsonValue now && now.TryGetValue<bool>(out var still) && still))
                    {
                        errors.Add(("immutable", "FieldValueForbidden", "Forbidden: field is immutable when `immutable` is set"));
                    }
                    foreach (var field in rt.Plural == "secrets" ? new[] { "data" } : ["data", "binaryData"])
                    {
                        if (!JsonNode.DeepEquals(current[field], next[field]))
                        {
                            errors.Add((field, "FieldValueForbidden", "Forbidden: field is immutable when `immutable` is set"));
                        }
                    }
                }
                if (rt.Plural == "secrets" && (current.GetString("type") ?? "Opaque") != (next.GetString("type") ?? "Opaque"))
                {
                    errors.Add(Invalid("type", next.GetString("type") ?? "", "field is immutable"));
                }
                break;
        }
        Throw(rt, next, errors);
    }

    private static void Throw(ResourceType rt, JsonObject obj, List<(string Field, string Reason, string Message)> errors)
    {
        if (errors.Count > 0)
        {
            throw ApiException.Invalid(rt, obj.Name() ?? "", [.. errors]);
        }
    }

    private static (string, string, string) Invalid(string field, string value, string message) =>
        (field, "FieldValueInvalid", $"Invalid value: \"{value}\": {message}");

    /// <summary>k8s.io/apimachinery validation.IsQualifiedName: an optional DNS subdomain prefix and '/', then a name of at most 63.</summary>
    private static List<string> QualifiedName(string value)
    {
        var errors = new List<string>();
        var parts = value.Split('/');
        string name;
        switch (parts.Length)
        {
            case 1:
                name = parts[0];
                break;
            case 2:
                name = parts[1];
                if (parts[0].Length == 0)
                {
                    errors.Add("prefix part must be non-empty");
                }
                else
                {
                    if (parts[0].Length > 253)
                    {
                        errors.Add("prefix part must be no more than 253 characters");
                    }
                    if (!Subdomain().IsMatch(parts[0]))
                    {
                        errors.Add("prefix part " + SubdomainRule);
                    }
                }
                break;
            default:
                return ["a qualified name " + QualifiedNameRule + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"];
        }
        if (name.Length == 0)
        {
            errors.Add("name part must be non-empty");
        }
        else if (name.Length > 63)
        {
            errors.Add("name part must be no more than 63 characters");
        }
        if (!QualifiedNamePart().IsMatch(name))
        {
            errors.Add("name part " + QualifiedNameRule);
        }
        return errors;
    }

    /// <summary>A LabelSelector as Go's %#v prints it in "field is immutable" messages.</summary>
    private static string GoLabelSelector(JsonNode? selector)
    {
        if (selector is not JsonObject s)
        {
            return "(*v1.LabelSelector)(nil)";
        }
        var labels = s["matchLabels"] is JsonObject m && m.Count > 0
            ? "map[string]string{" + string.Join(", ", m.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"\"{p.Key}\":\"{p.Value}\"")) + "}"
            : "map[string]string(nil)";
        var expressions = s["matchExpressions"] is JsonArray e && e.Count > 0
            ? "[]v1.LabelSelectorRequirement{" + string.Join(", ", e.OfType<JsonObject>().Select(r =>
                $"v1.LabelSelectorRequirement{{Key:\"{r.GetString("key")}\", Operator:\"{r.GetString("operator")}\", Values:"
                + (r["values"] is JsonArray { Count: > 0 } values ? "[]string{" + string.Join(", ", values.Select(v => $"\"{v}\"")) + "}" : "[]string(nil)") + "}")) + "}"
            : "[]v1.LabelSelectorRequirement(nil)";
        return $"v1.LabelSelector{{MatchLabels:{labels}, MatchExpressions:{expressions}}}";
    }

    [GeneratedRegex("^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$")]
    private static partial Regex QualifiedNamePart();

    [GeneratedRegex("^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")]
    private static partial Regex LabelValue();

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")]
    private static partial Regex Subdomain();
}
