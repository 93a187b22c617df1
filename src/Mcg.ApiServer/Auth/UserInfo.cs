namespace Mcg.ApiServer.Auth;

/// <summary>An authenticated identity, as user.Info in the apiserver.</summary>
public sealed record UserInfo(string Name, IReadOnlyList<string> Groups, string Uid = "")
{
    public const string Masters = "system:masters";

    public bool IsMaster => Groups.Contains(Masters);
}
