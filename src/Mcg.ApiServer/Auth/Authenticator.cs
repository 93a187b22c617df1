using Mcg.ApiServer.Storage;

namespace Mcg.ApiServer.Auth;

/// <summary>
/// Bearer-token authentication: the static tokens (the admin token and a kube-style token file) and the
/// ServiceAccount tokens this server issued, valid only while their ServiceAccount still exists with the same uid.
/// </summary>
public sealed class Authenticator(IReadOnlyDictionary<string, UserInfo> staticTokens, ServiceAccountTokens serviceAccountTokens, ObjectStore store)
{
    public UserInfo? Authenticate(string? authorizationHeader)
    {
        if (authorizationHeader is null || !authorizationHeader.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }
        return AuthenticateToken(authorizationHeader[7..].Trim());
    }

    public UserInfo? AuthenticateToken(string token)
    {
        if (staticTokens.TryGetValue(token, out var user))
        {
            return user;
        }
        var claims = serviceAccountTokens.Verify(token);
        if (claims is null)
        {
            return null;
        }
        var sa = store.Get("/serviceaccounts", claims.Namespace, claims.Name);
        return sa is not null && sa.Uid == claims.Uid ? claims.ToUser() : null;
    }

    /// <summary>Reads a kube-apiserver <c>--token-auth-file</c>: <c>token,user,uid,"group1,group2"</c> per line.</summary>
    public static Dictionary<string, UserInfo> ReadTokenFile(string path)
    {
        var tokens = new Dictionary<string, UserInfo>(StringComparer.Ordinal);
        if (!File.Exists(path))
        {
            return tokens;
        }
        var lineNo = 0;
        foreach (var line in File.ReadLines(path))
        {
            lineNo++;
            if (string.IsNullOrWhiteSpace(line) || line.TrimStart().StartsWith('#'))
            {
                continue;
            }
            var fields = SplitCsv(line);
            if (fields.Count < 3)
            {
                throw new FormatException($"{path}:{lineNo}: expected token,user,uid[,\"groups\"]");
            }
            var groups = fields.Count > 3 ? fields[3].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList() : [];
            groups.Add("system:authenticated");
            tokens[fields[0]] = new UserInfo(fields[1], groups, fields[2]);
        }
        return tokens;
    }

    private static List<string> SplitCsv(string line)
    {
        var fields = new List<string>();
        var current = new System.Text.StringBuilder();
        var quoted = false;
        foreach (var c in line)
        {
            if (c == '"')
            {
                quoted = !quoted;
            }
            else if (c == ',' && !quoted)
            {
                fields.Add(current.ToString().Trim());
                current.Clear();
            }
            else
            {
                current.Append(c);
            }
        }
        fields.Add(current.ToString().Trim());
        return fields;
    }
}
