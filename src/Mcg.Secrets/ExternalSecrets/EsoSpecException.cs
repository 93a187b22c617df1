namespace Mcg.Secrets.ExternalSecrets;

/// <summary>An invalid ExternalSecret or store: the message names the object and the field.</summary>
public sealed class EsoSpecException(string message) : Exception(message);
