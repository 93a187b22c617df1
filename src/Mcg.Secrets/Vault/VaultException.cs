namespace Mcg.Secrets.Vault;

/// <summary>An error answered as Vault does: an HTTP status and <c>{"errors":[...]}</c>, optionally with a full response body instead.</summary>
public sealed class VaultException(int status, IReadOnlyList<string> errors, System.Text.Json.Nodes.JsonObject? body = null)
    : Exception(errors.Count > 0 ? string.Join("; ", errors) : $"HTTP {status}")
{
    public int Status { get; } = status;
    public IReadOnlyList<string> Errors { get; } = errors;

    /// <summary>When set, written instead of <c>{"errors":...}</c> (KV v2 answers a deleted version with 404 and its metadata).</summary>
    public System.Text.Json.Nodes.JsonObject? Body { get; } = body;

    public static VaultException BadRequest(string message) => new(400, [message]);

    /// <summary>The ACL denial text, a go-multierror with one entry.</summary>
    public static VaultException PermissionDenied() => new(403, ["1 error occurred:\n\t* permission denied\n\n"]);

    public static VaultException Forbidden(string message) => new(403, [message]);

    public static VaultException InvalidToken() => new(403, ["permission denied", "invalid token"]);

    public static VaultException NotFound() => new(404, []);

    public static VaultException UnsupportedOperation() => new(405, ["1 error occurred:\n\t* unsupported operation\n\n"]);

    public static VaultException NoHandler(string path) => new(404, [$"no handler for route \"{path}\". route entry not found."]);

    public static VaultException Sealed() => new(503, ["Vault is sealed"]);

    public static VaultException Internal(string message) => new(500, [message]);
}
