using MailEngine.Addressing;
using MailEngine.Contracts;
using MailEngine.Control;
using MailEngine.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace MailEngine.Tests.Control;

public sealed class SnapshotTests
{
    private static readonly SealedSnapshotFile Key = new(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));

    [Fact]
    public void Resolution_finds_mailboxes_groups_subaddresses_catch_alls_and_remote_domains()
    {
        var snapshot = TestEngine.StandardSnapshot() with
        {
            Domains = [new SnapshotDomain("example.test", 1000), new SnapshotDomain("catch.test", 1000, "alice@example.test")],
        };
        var index = new SnapshotIndex(snapshot);

        Assert.Equal(RecipientKind.LocalMailbox, index.Resolve(EmailAddress.Parse("Alice@EXAMPLE.test")).Kind);
        Assert.Equal(["alice@example.test", "bob@example.test"], index.Resolve(EmailAddress.Parse("support@example.test")).Targets);
        Assert.Equal("alice@example.test", index.Resolve(EmailAddress.Parse("alice+news@example.test")).Mailbox!.Address);
        Assert.Equal(["alice@example.test"], index.Resolve(EmailAddress.Parse("anyone@catch.test")).Targets);
        Assert.Equal(RecipientKind.Unknown, index.Resolve(EmailAddress.Parse("nobody@example.test")).Kind);
        Assert.Equal(RecipientKind.Remote, index.Resolve(EmailAddress.Parse("x@elsewhere.test")).Kind);
    }

    [Fact]
    public void A_mailbox_may_send_as_itself_and_the_groups_it_receives_through()
    {
        var index = new SnapshotIndex(TestEngine.StandardSnapshot());
        Assert.True(index.MaySendAs("alice@example.test", "alice@example.test"));
        Assert.True(index.MaySendAs("alice@example.test", "support@example.test"));
        Assert.False(index.MaySendAs("alice@example.test", "bob@example.test"));
        Assert.False(index.MaySendAs("dave@example.test", "support@example.test"));
    }

    [Fact]
    public void Trusted_networks_match_by_CIDR_including_IPv4_mapped_addresses()
    {
        var index = new SnapshotIndex(TestEngine.StandardSnapshot(policy: new SnapshotPolicy { TrustedNetworks = ["10.1.0.0/16", "2001:db8::/32"] }));
        Assert.True(index.IsTrusted(System.Net.IPAddress.Parse("10.1.2.3")));
        Assert.True(index.IsTrusted(System.Net.IPAddress.Parse("::ffff:10.1.2.3")));
        Assert.True(index.IsTrusted(System.Net.IPAddress.Parse("2001:db8::5")));
        Assert.False(index.IsTrusted(System.Net.IPAddress.Parse("10.2.0.1")));
    }

    [Fact]
    public void A_snapshot_is_saved_with_mode_0600_and_read_back_after_a_restart()
    {
        var dir = Directory.CreateTempSubdirectory("state").FullName;
        var store = new EngineSnapshotStore(dir, Key, TimeProvider.System, NullLogger<EngineSnapshotStore>.Instance);
        var status = store.Apply(TestEngine.StandardSnapshot(version: 7));
        Assert.Equal(7, status.AppliedVersion);
        Assert.Null(status.LastError);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(dir, EngineSnapshotStore.FileName)));

        var restarted = new EngineSnapshotStore(dir, Key, TimeProvider.System, NullLogger<EngineSnapshotStore>.Instance);
        restarted.LoadFromDisk();
        Assert.Equal(7, restarted.Current.Version);
        Assert.NotNull(restarted.Current.Mailbox("alice@example.test"));
    }

    [Fact]
    public void The_saved_snapshot_holds_no_hash_or_key_in_clear_and_a_plain_one_is_sealed_at_load()
    {
        var dir = Directory.CreateTempSubdirectory("state").FullName;
        using var rsa = System.Security.Cryptography.RSA.Create(2048);
        var request = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=mx.example.test", rsa, System.Security.Cryptography.HashAlgorithmName.SHA256, System.Security.Cryptography.RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddDays(1));
        var privateKey = Convert.ToBase64String(rsa.ExportPkcs8PrivateKey());
        var keyMaterial = privateKey[(privateKey.Length / 2)..(privateKey.Length / 2 + 40)];
        var snapshot = TestEngine.StandardSnapshot(version: 3) with { Certificates = [new SnapshotCertificate(["mx.example.test"], certificate.ExportCertificatePem(), privateKey)] };
        var hash = snapshot.Mailboxes[0].PasswordHash;
        Assert.Null(new EngineSnapshotStore(dir, Key, TimeProvider.System, NullLogger<EngineSnapshotStore>.Instance).Apply(snapshot).LastError);
        AssertNothingInClear(dir, hash, keyMaterial);

        // A snapshot.json written in clear by an older engine is read, then sealed in place.
        File.WriteAllBytes(Path.Combine(dir, EngineSnapshotStore.FileName), System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(snapshot with { Version = 4 }, SnapshotJson.Default.EngineSnapshot));
        var restarted = new EngineSnapshotStore(dir, Key, TimeProvider.System, NullLogger<EngineSnapshotStore>.Instance);
        restarted.LoadFromDisk();
        Assert.Equal(4, restarted.Current.Version);
        AssertNothingInClear(dir, hash, keyMaterial);

        // Another node's key does not open it: the engine starts empty and says why.
        var stranger = new EngineSnapshotStore(dir, new SealedSnapshotFile(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)), TimeProvider.System, NullLogger<EngineSnapshotStore>.Instance);
        stranger.LoadFromDisk();
        Assert.Equal(0, stranger.Current.Version);
        Assert.Contains("could not be read", stranger.Status.LastError);
    }

    private static void AssertNothingInClear(string directory, params string[] secrets)
    {
        foreach (var file in Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories))
        {
            var text = System.Text.Encoding.Latin1.GetString(File.ReadAllBytes(file));
            foreach (var secret in secrets) Assert.DoesNotContain(secret, text, StringComparison.Ordinal);
            Assert.DoesNotContain("example.test", text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_snapshot_written_by_hand_with_only_some_fields_applies()
    {
        // As bench/smtp.sh and an operator's curl send it: no groups, no certificates, no display names.
        const string json = """
            {"version":1,"compiledAt":"2026-01-01T00:00:00Z",
             "domains":[{"name":"bench.test","maxMessageBytes":26214400}],
             "mailboxes":[{"address":"user0@bench.test","passwordHash":"{ARGON2ID}x","quotaBytes":1099511627776,"enabled":true}],
             "policy":{"trustedNetworks":["127.0.0.0/8"],"maxMessageBytes":26214400,"maxRecipientsPerMessage":100}}
            """;
        var snapshot = System.Text.Json.JsonSerializer.Deserialize(json, SnapshotJson.Default.EngineSnapshot)!;
        var store = new EngineSnapshotStore(Directory.CreateTempSubdirectory("state").FullName, Key, TimeProvider.System, NullLogger<EngineSnapshotStore>.Instance);
        var status = store.Apply(snapshot);
        Assert.Null(status.LastError);
        Assert.NotNull(store.Current.Mailbox("user0@bench.test"));
    }

    [Fact]
    public void An_older_version_is_refused_and_the_running_one_stays()
    {
        var store = new EngineSnapshotStore(Directory.CreateTempSubdirectory("state").FullName, Key, TimeProvider.System, NullLogger<EngineSnapshotStore>.Instance);
        store.Apply(TestEngine.StandardSnapshot(version: 5));
        var status = store.Apply(TestEngine.StandardSnapshot(version: 4) with { Mailboxes = [] });
        Assert.Equal(5, status.AppliedVersion);
        Assert.Contains("Refused snapshot version 4", status.LastError, StringComparison.Ordinal);
        Assert.NotNull(store.Current.Mailbox("alice@example.test"));
    }

    [Fact]
    public void A_snapshot_with_a_bad_network_is_refused_whole()
    {
        var store = new EngineSnapshotStore(Directory.CreateTempSubdirectory("state").FullName, Key, TimeProvider.System, NullLogger<EngineSnapshotStore>.Instance);
        store.Apply(TestEngine.StandardSnapshot(version: 1));
        var status = store.Apply(TestEngine.StandardSnapshot(version: 2, policy: new SnapshotPolicy { TrustedNetworks = ["not-a-network"] }));
        Assert.Equal(1, status.AppliedVersion);
        Assert.NotNull(status.LastError);
    }
}
