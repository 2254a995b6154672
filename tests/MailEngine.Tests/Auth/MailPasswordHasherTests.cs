using System.Diagnostics;
using MailEngine.Auth;

namespace MailEngine.Tests.Auth;

public sealed class MailPasswordHasherTests
{
    [Fact]
    public void A_new_hash_is_Argon2id_with_Dovecots_defaults_and_verifies()
    {
        var hash = MailPasswordHasher.Hash("correct horse battery staple");
        Assert.StartsWith("{ARGON2ID}$argon2id$v=19$m=65536,t=3,p=1$", hash, StringComparison.Ordinal);
        Assert.True(MailPasswordHasher.Verify(hash, "correct horse battery staple"));
        Assert.False(MailPasswordHasher.Verify(hash, "correct horse battery stapl"));
        Assert.False(MailPasswordHasher.NeedsRehash(hash));
    }

    [Fact]
    public void Libsodium_hashes_exactly_as_the_managed_fallback()
    {
        // deploy/test.sh installs libsodium23: the fast path must be the one under test.
        Assert.Equal("libsodium", MailPasswordHasher.Implementation);
        var salt = "0123456789abcdef"u8.ToArray();
        var password = "correct horse battery staple"u8.ToArray();
        Assert.Equal(
            Convert.ToHexString(MailPasswordHasher.ManagedArgon2Id(password, salt, 1024, 2, 1, 32)),
            Convert.ToHexString(Argon2Native.Hash(password, salt, 1024, 2, 32)));
        // RFC 9106 5.3's test vector is for Argon2id with secret and associated data, which neither
        // implementation here takes; the PHC string Dovecot checks (below) ties both to the reference.
    }

    [Fact]
    public void The_same_password_hashes_differently_each_time() =>
        Assert.NotEqual(MailPasswordHasher.Hash("same-password"), MailPasswordHasher.Hash("same-password"));

    [Fact]
    public void A_BLF_CRYPT_hash_from_another_system_verifies_and_asks_for_a_rehash()
    {
        var bcrypt = "{BLF-CRYPT}" + BCrypt.Net.BCrypt.HashPassword("imported-password", 10);
        Assert.True(MailPasswordHasher.Verify(bcrypt, "imported-password"));
        Assert.False(MailPasswordHasher.Verify(bcrypt, "other"));
        Assert.True(MailPasswordHasher.NeedsRehash(bcrypt));
    }

    [Theory]
    [InlineData("")]
    [InlineData("plaintext")]
    [InlineData("{PLAIN}password")]
    [InlineData("{ARGON2ID}$argon2id$v=19$m=65536,t=3,p=1$bm90LWJhc2U2NCEh$")]
    [InlineData("{ARGON2ID}$argon2id$v=19$m=999999999,t=3,p=1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g")]
    [InlineData("{ARGON2I}$argon2i$v=19$m=65536,t=3,p=1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g")]
    [InlineData("{BLF-CRYPT}$2y$12$broken")]
    public void Unknown_broken_or_hostile_hashes_never_verify(string stored) =>
        Assert.False(MailPasswordHasher.Verify(stored, "password"));

    [Fact]
    public void Overlong_passwords_are_refused_before_hashing()
    {
        Assert.Throws<ArgumentException>(() => MailPasswordHasher.Hash(new string('x', MailPasswordHasher.MaxPasswordLength + 1)));
        Assert.False(MailPasswordHasher.Verify(MailPasswordHasher.TimingDummyHash, new string('x', 10_000)));
    }

    /// <summary>Dovecot itself checks our hash: the point of the "{SCHEME}" format is that another IMAP server can use it.</summary>
    [Fact]
    public async Task Dovecot_verifies_our_Argon2id_hash()
    {
        var hash = MailPasswordHasher.Hash("dovecot-compatible-1");
        Assert.Equal(0, await DoveadmAsync(hash, "dovecot-compatible-1"));
        Assert.NotEqual(0, await DoveadmAsync(hash, "wrong-password"));
    }

    private static async Task<int> DoveadmAsync(string hash, string password)
    {
        // doveadm comes from Debian's dovecot-core, installed by deploy/test.sh.
        var start = new ProcessStartInfo("doveadm") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "pw", "-t", hash, "-p", password }) start.ArgumentList.Add(a);
        using var process = Process.Start(start) ?? throw new InvalidOperationException("doveadm did not start");
        await process.WaitForExitAsync();
        return process.ExitCode;
    }
}
