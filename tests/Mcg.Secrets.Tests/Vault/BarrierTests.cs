using System.Security.Cryptography;
using System.Text;
using Mcg.Secrets.Vault;

namespace Mcg.Secrets.Tests.Vault;

public sealed class BarrierTests : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("mcg-barrier-").FullName;
    private PhysicalStorage _storage = null!;

    public Task InitializeAsync()
    {
        _storage = new PhysicalStorage(Path.Combine(_dir, "vault.db"));
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _storage.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task ValuesRoundTripAndOnlyCiphertextIsStored()
    {
        var barrier = new SecurityBarrier(_storage);
        var root = RandomNumberGenerator.GetBytes(32);
        await barrier.InitializeAsync(root);
        Assert.True(barrier.IsSealed);
        await barrier.UnsealAsync(root);
        var secret = "correct-horse-battery-staple-" + Guid.NewGuid();
        await barrier.PutAsync("logical/x/metadata/app", Encoding.UTF8.GetBytes(secret));
        Assert.Equal(secret, Encoding.UTF8.GetString((await barrier.GetAsync("logical/x/metadata/app"))!));

        var raw = (await _storage.GetAsync("logical/x/metadata/app"))!;
        Assert.Equal(1, raw[0]);
        Assert.Equal(1 + 4 + 12 + Encoding.UTF8.GetByteCount(secret) + 16, raw.Length);
        Assert.DoesNotContain(secret, Encoding.Latin1.GetString(raw));
    }

    [Fact]
    public async Task CiphertextIsBoundToItsPath()
    {
        var barrier = new SecurityBarrier(_storage);
        var root = RandomNumberGenerator.GetBytes(32);
        await barrier.InitializeAsync(root);
        await barrier.UnsealAsync(root);
        await barrier.PutAsync("a", "value"u8);
        await _storage.PutAsync("b", (await _storage.GetAsync("a"))!);
        await Assert.ThrowsAnyAsync<CryptographicException>(() => barrier.GetAsync("b"));
    }

    [Fact]
    public async Task WrongRootKeyCannotUnsealAndSealingForgetsTheKeys()
    {
        var barrier = new SecurityBarrier(_storage);
        var root = RandomNumberGenerator.GetBytes(32);
        await barrier.InitializeAsync(root);
        await Assert.ThrowsAnyAsync<CryptographicException>(() => barrier.UnsealAsync(RandomNumberGenerator.GetBytes(32)));
        Assert.True(barrier.IsSealed);
        await barrier.UnsealAsync(root);
        await barrier.PutAsync("k", "v"u8);
        barrier.Seal();
        var e = await Assert.ThrowsAsync<VaultException>(() => barrier.GetAsync("k"));
        Assert.Equal(503, e.Status);
        Assert.Equal(["Vault is sealed"], e.Errors);

        // A fresh barrier over the same storage (a restart) opens with the same root key and reads the data.
        var reopened = new SecurityBarrier(_storage);
        await reopened.UnsealAsync(root);
        Assert.Equal("v"u8.ToArray(), await reopened.GetAsync("k"));
    }

    [Fact]
    public async Task RotationAddsATermAndOldValuesStayReadable()
    {
        var barrier = new SecurityBarrier(_storage);
        var root = RandomNumberGenerator.GetBytes(32);
        await barrier.InitializeAsync(root);
        await barrier.UnsealAsync(root);
        await barrier.PutAsync("old", "1"u8);
        Assert.Equal(2u, await barrier.RotateAsync());
        await barrier.PutAsync("new", "2"u8);
        Assert.Equal(2u, System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian((await _storage.GetAsync("new"))!.AsSpan(1)));
        barrier.Seal();
        var reopened = new SecurityBarrier(_storage);
        await reopened.UnsealAsync(root);
        Assert.Equal("1"u8.ToArray(), await reopened.GetAsync("old"));
        Assert.Equal("2"u8.ToArray(), await reopened.GetAsync("new"));
    }

    [Fact]
    public async Task ListReturnsDirectChildrenWithFolders()
    {
        await _storage.WriteAsync([new("m/a", [1]), new("m/b/c", [1]), new("m/b/d/e", [1]), new("n/x", [1])]);
        Assert.Equal(["a", "b/"], await _storage.ListAsync("m/"));
        Assert.Equal(["c", "d/"], await _storage.ListAsync("m/b/"));
        Assert.Empty(await _storage.ListAsync("z/"));
    }

    [Fact]
    public void DurationsParseAndFormatLikeGo()
    {
        Assert.Equal(TimeSpan.FromMinutes(15), Durations.Parse("15m"));
        Assert.Equal(TimeSpan.FromSeconds(5400), Durations.Parse("1h30m"));
        Assert.Equal(TimeSpan.FromSeconds(3600), Durations.Parse("3600"));
        Assert.Equal("0s", Durations.ToGoString(TimeSpan.Zero));
        Assert.Equal("768h0m0s", Durations.ToGoString(TimeSpan.FromHours(768)));
        Assert.Equal("1m30s", Durations.ToGoString(TimeSpan.FromSeconds(90)));
        Assert.Throws<FormatException>(() => Durations.Parse("soon"));
    }
}
