using System.Security.Cryptography;
using Mcg.Secrets.Vault;

namespace Mcg.Secrets.Tests.Vault;

public class ShamirTests
{
    [Fact]
    public void AnyThresholdSubsetRecoversTheSecret()
    {
        var secret = RandomNumberGenerator.GetBytes(32);
        var shares = Shamir.Split(secret, 5, 3);
        Assert.All(shares, s => Assert.Equal(33, s.Length));
        Assert.Equal(5, shares.Select(s => s[^1]).Distinct().Count());
        Assert.DoesNotContain(shares, s => s[^1] == 0);
        foreach (var subset in Subsets(5, 3).Concat(Subsets(5, 4)).Concat(Subsets(5, 5)))
        {
            Assert.Equal(secret, Shamir.Combine(subset.Select(i => shares[i]).ToList()));
        }
    }

    [Fact]
    public void FewerSharesThanTheThresholdDoNotRecoverIt()
    {
        var secret = RandomNumberGenerator.GetBytes(32);
        var shares = Shamir.Split(secret, 5, 3);
        foreach (var pair in Subsets(5, 2))
        {
            Assert.NotEqual(secret, Shamir.Combine(pair.Select(i => shares[i]).ToList()));
        }
        Assert.Throws<ArgumentException>(() => Shamir.Combine([shares[0]]));
    }

    [Fact]
    public void InvalidParametersAndPartsAreRejectedAsVaultDoes()
    {
        var secret = new byte[] { 1, 2, 3 };
        Assert.Equal("parts cannot be less than threshold", Assert.Throws<ArgumentException>(() => Shamir.Split(secret, 2, 3)).Message);
        Assert.Equal("parts cannot exceed 255", Assert.Throws<ArgumentException>(() => Shamir.Split(secret, 256, 3)).Message);
        Assert.Equal("threshold must be at least 2", Assert.Throws<ArgumentException>(() => Shamir.Split(secret, 3, 1)).Message);
        Assert.Equal("cannot split an empty secret", Assert.Throws<ArgumentException>(() => Shamir.Split([], 3, 2)).Message);
        var shares = Shamir.Split(secret, 3, 2);
        Assert.Equal("duplicate part detected", Assert.Throws<ArgumentException>(() => Shamir.Combine([shares[0], shares[0]])).Message);
        Assert.Equal("all parts must be the same length", Assert.Throws<ArgumentException>(() => Shamir.Combine([shares[0], shares[1][..^1]])).Message);
    }

    [Fact]
    public void MaximumPartsAndThresholdWork()
    {
        var secret = RandomNumberGenerator.GetBytes(16);
        var shares = Shamir.Split(secret, 255, 255);
        Assert.Equal(255, shares.Select(s => s[^1]).Distinct().Count());
        Assert.Equal(secret, Shamir.Combine(shares));
    }

    [Fact]
    public void FieldArithmeticMatchesTheAesField()
    {
        // Known products in GF(2^8) mod x^8+x^4+x^3+x+1 (FIPS-197 §4.2): {57}·{83} = {c1}, {57}·{13} = {fe}.
        Assert.Equal(0xc1, Shamir.Multiply(0x57, 0x83));
        Assert.Equal(0xfe, Shamir.Multiply(0x57, 0x13));
        for (var a = 1; a < 256; a++)
        {
            Assert.Equal(1, Shamir.Multiply((byte)a, Shamir.Divide(1, (byte)a)));
        }
    }

    [Fact]
    public void CombinesAHandBuiltShareSetLikeVaults()
    {
        // A degree-1 polynomial per byte: f(x) = s + 7x, evaluated at x = 1 and x = 2 (share = y || x).
        byte s = 0x42;
        var share1 = new[] { (byte)(s ^ Shamir.Multiply(7, 1)), (byte)1 };
        var share2 = new[] { (byte)(s ^ Shamir.Multiply(7, 2)), (byte)2 };
        Assert.Equal(new[] { s }, Shamir.Combine([share1, share2]));
    }

    private static IEnumerable<int[]> Subsets(int n, int k)
    {
        if (k == 0)
        {
            yield return [];
            yield break;
        }
        for (var first = 0; first <= n - k; first++)
        {
            foreach (var rest in Subsets(n - first - 1, k - 1))
            {
                yield return [first, .. rest.Select(r => r + first + 1)];
            }
        }
    }
}
