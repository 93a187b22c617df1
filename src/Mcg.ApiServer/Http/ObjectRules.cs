using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Mcg.ApiServer.Resources;
using Mcg.Kube.Objects;

namespace Mcg.ApiServer.Http;

/// <summary>The generic registry rules every write goes through: defaults on create, immutable metadata, generation.</summary>
public static partial class ObjectRules
{
    public static string Timestamp(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>Checks the body against the URL and fills in what the server owns on create.</summary>
    public static void PrepareForCreate(ResourceType rt, JsonObject obj, string urlNamespace, DateTimeOffset now)
    {
        CheckTypeMeta(rt, obj);
        var meta = obj.Metadata();
        var name = meta.GetString("name");
        if (string.IsNullOrEmpty(name))
        {
            var prefix = meta.GetString("generateName");
            if (string.IsNullOrEmpty(prefix))
            {
                throw ApiException.Invalid(rt, "", ("metadata.name", "FieldValueRequired", "Required value: name or generateName is required"));
            }
            name = prefix + RandomSuffix();
            meta["name"] = name;
        }
        ValidateName(rt, name);
        CheckNamespace(rt, meta, urlNamespace, name);
        Validation.ValidateMetadata(rt, obj);
        meta["uid"] = Guid.NewGuid().ToString();
        meta["creationTimestamp"] = Timestamp(now);
        if (rt.TracksGeneration)
        {
            meta["generation"] = 1L;
        }
        else
        {
            meta.Remove("generation");
        }
        meta.Remove("resourceVersion");
        meta.Remove("deletionTimestamp");
        meta.Remove("deletionGracePeriodSeconds");
        meta.Remove("selfLink");
        if (rt.HasStatus && !(rt.BuiltIn && rt.Group.Length == 0))
        {
            // Workload and custom resources start without status; core kinds (Namespace, Pod…) keep what the creator set.
            obj.Remove("status");
        }
        if (rt.BuiltIn && rt.Plural == "namespaces")
        {
            obj["spec"] = new JsonObject { ["finalizers"] = new JsonArray("kubernetes") };
            obj["status"] = new JsonObject { ["phase"] = "Active" };
            var labels = meta["labels"] as JsonObject ?? [];
            labels["kubernetes.io/metadata.name"] = name;
            meta["labels"] = labels;
        }
    }

    /// <summary>
    /// Builds the object to store from an update of <paramref name="current"/>: the main resource keeps the current
    /// status (for kinds with a status subresource), the status subresource changes only status; server-owned metadata
    /// is carried over and generation is bumped when the spec changed.
    /// </summary>
    public static JsonObject PrepareForUpdate(ResourceType rt, JsonObject current, JsonObject candidate, string subresource, string urlNamespace)
    {
        CheckTypeMeta(rt, candidate);
        var name = current.Name()!;
        var meta = candidate.Metadata();
        if (meta.GetString("name") is { } given && given != name)
        {
            throw ApiException.BadRequest($"the name of the object ({given}) does not match the name on the URL ({name})");
        }
        meta["name"] = name;
        CheckNamespace(rt, meta, urlNamespace, name);
        JsonObject result;
        if (subresource == "status")
        {
            result = (JsonObject)current.DeepClone();
            SetOrRemove(result, "status", candidate["status"]);
            if (meta["managedFields"] is JsonNode mf)
            {
                result.Metadata()["managedFields"] = mf.DeepClone();
            }
        }
        else
        {
            result = candidate;
            if (rt.HasStatus)
            {
                SetOrRemove(result, "status", current["status"]);
            }
        }
        var m = result.Metadata();
        var cm = current.Metadata();
        foreach (var key in new[] { "uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "generateName" })
        {
            SetOrRemove(m, key, cm[key]);
        }
        if (rt.BuiltIn && rt.Plural == "namespaces" && subresource != "finalize")
        {
            SetOrRemove(result, "spec", current["spec"]);
        }
        if (rt.TracksGeneration)
        {
            var generation = cm["generation"]?.GetValue<long>() ?? 1;
            m["generation"] = SpecChanged(rt, current, result) ? generation + 1 : generation;
        }
        else
        {
            SetOrRemove(m, "generation", cm["generation"]);
        }
        m.Remove("selfLink");
        Validation.ValidateMetadata(rt, result);
        Validation.ValidateImmutable(rt, current, result);
        return result;
    }

    /// <summary>Whether anything outside metadata (and status, for kinds with a status subresource) differs.</summary>
    public static bool SpecChanged(ResourceType rt, JsonObject a, JsonObject b)
    {
        var keys = a.Select(p => p.Key).Union(b.Select(p => p.Key))
            .Where(k => k is not ("metadata" or "apiVersion" or "kind") && !(k == "status" && rt.HasStatus));
        // Deployments copy their annotations to their ReplicaSets, so upstream bumps their generation for those too.
        return keys.Any(k => !JsonNode.DeepEquals(a[k], b[k]))
            || rt.BuiltIn && rt.Group == "apps" && rt.Plural == "deployments" && !JsonNode.DeepEquals(a["metadata"]?["annotations"], b["metadata"]?["annotations"]);
    }

    public static void ValidateName(ResourceType rt, string name)
    {
        var ok = rt.BuiltIn && rt.Plural is "namespaces" or "services"
            ? name.Length <= 63 && DnsLabel().IsMatch(name)
            : name.Length <= 253 && DnsSubdomain().IsMatch(name);
        if (rt.BuiltIn && rt.Group == "rbac.authorization.k8s.io")
        {
            ok = name.Length > 0 && !name.Contains('/') && name is not ("." or "..");
        }
        if (!ok)
        {
            var rule = rt.BuiltIn && rt.Plural is "namespaces" or "services"
                ? "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
                : "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
            throw ApiException.Invalid(rt, name, ("metadata.name", "FieldValueInvalid", $"Invalid value: \"{name}\": {rule}"));
        }
    }

    private static void CheckTypeMeta(ResourceType rt, JsonObject obj)
    {
        var kind = obj.Kind();
        var apiVersion = obj.ApiVersion();
        if (kind is not null && kind != rt.Kind || apiVersion is not null && apiVersion != rt.GroupVersion)
        {
            throw ApiException.BadRequest($"the API version in the data ({apiVersion}) does not match the expected API version ({rt.GroupVersion})"
                + (kind != rt.Kind ? $" or the kind ({kind}) does not match the expected kind ({rt.Kind})" : ""));
        }
        obj["apiVersion"] = rt.GroupVersion;
        obj["kind"] = rt.Kind;
        if (obj["metadata"] is not null and not JsonObject)
        {
            throw ApiException.BadRequest("metadata: expected an object");
        }
        Validation.CheckMetadataTypes(rt, obj.Metadata());
    }

    private static void CheckNamespace(ResourceType rt, JsonObject meta, string urlNamespace, string name)
    {
        var bodyNs = meta.GetString("namespace");
        if (!rt.Namespaced)
        {
            meta.Remove("namespace");
            return;
        }
        if (!string.IsNullOrEmpty(bodyNs) && bodyNs != urlNamespace)
        {
            throw ApiException.BadRequest($"the namespace of the provided object does not match the namespace sent on the request");
        }
        if (string.IsNullOrEmpty(urlNamespace))
        {
            throw ApiException.BadRequest($"the namespace of the object {rt.Plural} \"{name}\" is required");
        }
        meta["namespace"] = urlNamespace;
    }

    private static void SetOrRemove(JsonObject obj, string key, JsonNode? value)
    {
        if (value is null)
        {
            obj.Remove(key);
        }
        else
        {
            obj[key] = value.DeepClone();
        }
    }

    private static string RandomSuffix()
    {
        const string alphabet = "bcdfghjklmnpqrstvwxz2456789";
        return string.Create(5, 0, (span, _) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = alphabet[Random.Shared.Next(alphabet.Length)];
            }
        });
    }

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")]
    private static partial Regex DnsSubdomain();

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")]
    private static partial Regex DnsLabel();
}
