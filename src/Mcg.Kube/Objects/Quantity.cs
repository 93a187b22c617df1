using System.Globalization;
using System.Text.RegularExpressions;

namespace Mcg.Kube.Objects;

/// <summary>
/// Kubernetes resource quantities (<c>500m</c>, <c>1Gi</c>, <c>1e3</c>, <c>128974848</c>) as exact decimals, so that templates
/// compare quantities by value (<c>1Gi</c> equals <c>1024Mi</c>) as upstream does.
/// </summary>
public static partial class Quantity
{
    public static bool TryParse(string? text, out decimal value)
    {
        value = 0;
        if (string.IsNullOrEmpty(text) || QuantityPattern().Match(text) is not { Success: true } m)
        {
            return false;
        }
        if (!decimal.TryParse(m.Groups[1].Value, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
        {
            return false;
        }
        var suffix = m.Groups[2].Value;
        try
        {
            if (suffix.Length > 1 && suffix[0] is 'e' or 'E')
            {
                var exponent = int.Parse(suffix[1..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
                value = number * Pow(10, exponent);
                return true;
            }
            value = number * suffix switch
            {
                "" => 1m,
                "n" => 0.000000001m,
                "u" => 0.000001m,
                "m" => 0.001m,
                "k" => 1_000m,
                "M" => 1_000_000m,
                "G" => 1_000_000_000m,
                "T" => 1_000_000_000_000m,
                "P" => 1_000_000_000_000_000m,
                "E" => 1_000_000_000_000_000_000m,
                "Ki" => 1024m,
                "Mi" => 1024m * 1024,
                "Gi" => 1024m * 1024 * 1024,
                "Ti" => 1024m * 1024 * 1024 * 1024,
                "Pi" => 1024m * 1024 * 1024 * 1024 * 1024,
                "Ei" => 1024m * 1024 * 1024 * 1024 * 1024 * 1024,
                _ => throw new FormatException(),
            };
            return true;
        }
        catch (Exception ex) when (ex is OverflowException or FormatException)
        {
            return false;
        }
    }

    private static decimal Pow(decimal b, int exponent)
    {
        if (Math.Abs(exponent) > 28)
        {
            throw new OverflowException();
        }
        var result = 1m;
        for (var i = 0; i < Math.Abs(exponent); i++)
        {
            result *= b;
        }
        return exponent < 0 ? 1m / result : result;
    }

    [GeneratedRegex(@"^([+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+))((?:[eE][+-]?[0-9]+)|[numkMGTPE]|[KMGTPE]i)?$", RegexOptions.CultureInvariant)]
    private static partial Regex QuantityPattern();
}
