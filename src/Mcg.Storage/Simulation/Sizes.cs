using System.Globalization;
using Mcg.Kube.Objects;

namespace Mcg.Storage.Simulation;

/// <summary>Storage sizes: Kubernetes quantities in, bytes in the middle, the shortest exact binary quantity out.</summary>
internal static class Sizes
{
    public const long Gi = 1L << 30;

    /// <summary>Bytes of a quantity (<c>10Gi</c>, <c>500M</c>); null when it is not one.</summary>
    public static long? Bytes(string? quantity) =>
        Quantity.TryParse(quantity, out var value) && value >= 0 && value <= long.MaxValue ? (long)decimal.Ceiling(value) : null;

    public static string Format(long bytes)
    {
        foreach (var (suffix, unit) in new[] { ("Ti", 1L << 40), ("Gi", 1L << 30), ("Mi", 1L << 20), ("Ki", 1L << 10) })
        {
            if (bytes >= unit && bytes % unit == 0)
            {
                return (bytes / unit).ToString(CultureInfo.InvariantCulture) + suffix;
            }
        }
        return bytes.ToString(CultureInfo.InvariantCulture);
    }
}
