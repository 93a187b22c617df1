using System.Security.Cryptography;

namespace Mcg.Secrets.Vault;

/// <summary>
/// Shamir's secret sharing over GF(2^8), byte-compatible with Vault's <c>shamir</c> package: one random polynomial of
/// degree threshold-1 per secret byte with that byte as intercept, unique non-zero x coordinates (a random permutation
/// of 1..255), and each share laid out as the y bytes followed by its x coordinate.
/// </summary>
public static class Shamir
{
    /// <summary>Splits <paramref name="secret"/> into <paramref name="parts"/> shares, any <paramref name="threshold"/> of which recover it.</summary>
    public static byte[][] Split(ReadOnlySpan<byte> secret, int parts, int threshold)
    {
        if (parts < threshold)
        {
            throw new ArgumentException("parts cannot be less than threshold");
        }
        if (parts > 255)
        {
            throw new ArgumentException("parts cannot exceed 255");
        }
        if (threshold < 2)
        {
            throw new ArgumentException("threshold must be at least 2");
        }
        if (secret.IsEmpty)
        {
            throw new ArgumentException("cannot split an empty secret");
        }

        var xs = Enumerable.Range(1, 255).Select(x => (byte)x).ToArray();
        RandomNumberGenerator.Shuffle(xs.AsSpan());
        var shares = new byte[parts][];
        for (var i = 0; i < parts; i++)
        {
            shares[i] = new byte[secret.Length + 1];
            shares[i][secret.Length] = xs[i];
        }
        var coefficients = new byte[threshold];
        for (var b = 0; b < secret.Length; b++)
        {
            coefficients[0] = secret[b];
            RandomNumberGenerator.Fill(coefficients.AsSpan(1));
            for (var i = 0; i < parts; i++)
            {
                shares[i][b] = Evaluate(coefficients, xs[i]);
            }
        }
        CryptographicOperations.ZeroMemory(coefficients);
        return shares;
    }

    /// <summary>Recombines shares by Lagrange interpolation at x = 0. Fewer shares than the threshold give a wrong secret, not an error.</summary>
    public static byte[] Combine(IReadOnlyList<byte[]> shares)
    {
        if (shares.Count < 2)
        {
            throw new ArgumentException("less than two parts cannot be used to reconstruct the secret");
        }
        var length = shares[0].Length;
        if (length < 2)
        {
            throw new ArgumentException("parts must be at least two bytes");
        }
        if (shares.Any(s => s.Length != length))
        {
            throw new ArgumentException("all parts must be the same length");
        }
        var xs = new byte[shares.Count];
        var seen = new HashSet<byte>();
        for (var i = 0; i < shares.Count; i++)
        {
            xs[i] = shares[i][length - 1];
            if (!seen.Add(xs[i]))
            {
                throw new ArgumentException("duplicate part detected");
            }
        }
        var secret = new byte[length - 1];
        var ys = new byte[shares.Count];
        for (var b = 0; b < secret.Length; b++)
        {
            for (var i = 0; i < shares.Count; i++)
            {
                ys[i] = shares[i][b];
            }
            secret[b] = InterpolateAtZero(xs, ys);
        }
        return secret;
    }

    private static byte Evaluate(byte[] coefficients, byte x)
    {
        // Horner's method, highest degree first.
        byte result = 0;
        for (var i = coefficients.Length - 1; i >= 0; i--)
        {
            result = (byte)(Multiply(result, x) ^ coefficients[i]);
        }
        return result;
    }

    private static byte InterpolateAtZero(byte[] xs, byte[] ys)
    {
        byte result = 0;
        for (var i = 0; i < xs.Length; i++)
        {
            byte basis = 1;
            for (var j = 0; j < xs.Length; j++)
            {
                if (i != j)
                {
                    // (0 + x_j) / (x_i + x_j); addition is XOR in GF(2^8).
                    basis = Multiply(basis, Divide(xs[j], (byte)(xs[i] ^ xs[j])));
                }
            }
            result ^= Multiply(ys[i], basis);
        }
        return result;
    }

    /// <summary>Multiplication in GF(2^8) modulo the AES polynomial x^8+x^4+x^3+x+1, without data-dependent branches.</summary>
    internal static byte Multiply(byte a, byte b)
    {
        int x = a, y = b, product = 0;
        for (var i = 0; i < 8; i++)
        {
            product ^= x & -(y & 1);
            var carry = -((x >> 7) & 1);
            x = ((x << 1) ^ (0x1b & carry)) & 0xff;
            y >>= 1;
        }
        return (byte)product;
    }

    internal static byte Divide(byte a, byte b)
    {
        if (b == 0)
        {
            throw new DivideByZeroException();
        }
        // b^-1 = b^254 in GF(2^8).
        byte inverse = 1, power = b;
        for (var e = 254; e > 0; e >>= 1)
        {
            if ((e & 1) == 1)
            {
                inverse = Multiply(inverse, power);
            }
            power = Multiply(power, power);
        }
        return Multiply(a, inverse);
    }
}
