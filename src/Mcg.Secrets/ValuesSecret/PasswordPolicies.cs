namespace Mcg.Secrets.ValuesSecret;

/// <summary>Built-in password policies of the validated patterns (load_secrets_common.py <c>default_vp_vault_policies</c>).</summary>
public static class PasswordPolicies
{
    public const string DefaultPolicyName = "validatedPatternDefaultPolicy";

    /// <summary>20 characters with at least one lowercase letter, uppercase letter, digit and one of <c>!@#%^&amp;*</c>.</summary>
    public const string DefaultPolicyHcl =
        "length=20\n"
        + "rule \"charset\" { charset = \"abcdefghijklmnopqrstuvwxyz\" min-chars = 1 }\n"
        + "rule \"charset\" { charset = \"ABCDEFGHIJKLMNOPQRSTUVWXYZ\" min-chars = 1 }\n"
        + "rule \"charset\" { charset = \"0123456789\" min-chars = 1 }\n"
        + "rule \"charset\" { charset = \"!@#%^&*\" min-chars = 1 }\n";
}
