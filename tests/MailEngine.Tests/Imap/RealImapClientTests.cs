using System.Security.Cryptography.X509Certificates;
using MailEngine.Tests.Support;
using MailKit;
using MessageFlags = MailKit.MessageFlags;

namespace MailEngine.Tests.Imap;

/// <summary>Real IMAP clients from Debian against the engine: curl (list, fetch, search) and mbsync (a two-way sync).</summary>
public sealed class RealImapClientTests : IAsyncLifetime
{
    private TestEngine _engine = default!;
    private string _work = default!;

    public async Task InitializeAsync()
    {
        _engine = await TestEngine.StartAsync(TestEngine.StandardSnapshot());
        _work = Directory.CreateTempSubdirectory("imap-clients").FullName;
    }

    public async Task DisposeAsync()
    {
        await _engine.DisposeAsync();
        Directory.Delete(_work, recursive: true);
    }

    private Task<(int ExitCode, string Output)> CurlAsync(string url, params string[] extra) =>
        ExternalTool.RunAsync("curl", ["--silent", "--show-error", "--insecure", "--user", $"alice@example.test:{TestEngine.Password}", .. extra, url]);

    [Fact]
    public async Task Curl_lists_folders_and_fetches_a_message_over_STARTTLS_and_implicit_TLS()
    {
        await _engine.DeliverAsync("alice@example.test", "fetched by curl", body: "Body for curl.\r\n");

        var (exit, list) = await CurlAsync($"imap://127.0.0.1:{_engine.Imap.Port}/", "--ssl-reqd");
        Assert.True(exit == 0, list);
        Assert.Contains("\"INBOX\"", list, StringComparison.Ordinal);
        Assert.Contains("\\Junk", list, StringComparison.Ordinal);

        var (exit2, message) = await CurlAsync($"imaps://127.0.0.1:{_engine.Imaps.Port}/INBOX;UID=1");
        Assert.True(exit2 == 0, message);
        Assert.Contains("Subject: fetched by curl", message, StringComparison.Ordinal);
        Assert.Contains("Body for curl.", message, StringComparison.Ordinal);

        var (exit3, search) = await CurlAsync($"imaps://127.0.0.1:{_engine.Imaps.Port}/INBOX", "--request", "SEARCH SUBJECT curl");
        Assert.True(exit3 == 0, search);
        Assert.Contains("* SEARCH 1", search, StringComparison.Ordinal);

        var (exit4, refused) = await ExternalTool.RunAsync("curl", ["--silent", "--show-error", "--insecure", "--user", "alice@example.test:wrong", $"imaps://127.0.0.1:{_engine.Imaps.Port}/"]);
        Assert.NotEqual(0, exit4);
        Assert.Contains("Login denied", refused, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Mbsync_pulls_a_mailbox_and_pushes_local_changes_back()
    {
        for (var i = 0; i < 3; i++) await _engine.DeliverAsync("alice@example.test", $"sync {i}");
        using (var client = await _engine.ConnectImapAsync())
        {
            var lists = (await client.GetFolder(client.PersonalNamespaces[0]).CreateAsync("Lists", true))!;
            var dev = (await lists.CreateAsync("dev", true))!;
            await dev.AppendAsync(new MimeKit.MimeMessage(new[] { MimeKit.MailboxAddress.Parse("x@y.test") }, Array.Empty<MimeKit.InternetAddress>(), "in a subfolder", new MimeKit.TextPart("plain") { Text = "x" }));
        }

        // mbsync trusts a "host" certificate given in CertificateFile: the engine's self-signed one.
        var certificate = X509CertificateLoader.LoadPkcs12FromFile(Path.Combine(_engine.Options.StateDirectory, "selfsigned.pfx"), null);
        var pem = Path.Combine(_work, "server.pem");
        await File.WriteAllTextAsync(pem, certificate.ExportCertificatePem());
        var local = Path.Combine(_work, "local") + "/";
        Directory.CreateDirectory(local);
        var config = Path.Combine(_work, "mbsyncrc");
        await File.WriteAllTextAsync(config, $"""
            IMAPAccount engine
            Host 127.0.0.1
            Port {_engine.Imaps.Port}
            User alice@example.test
            Pass {TestEngine.Password}
            SSLType IMAPS
            CertificateFile {pem}

            IMAPStore remote
            Account engine

            MaildirStore local
            Path {local}
            Inbox {local}INBOX
            SubFolders Verbatim

            Channel sync
            Far :remote:
            Near :local:
            Patterns *
            Create Both
            Expunge Both
            Sync All
            SyncState *

            """);

        var (exit, output) = await ExternalTool.RunAsync("mbsync", ["-c", config, "-a"]);
        Assert.True(exit == 0, output);
        Assert.Equal(3, Directory.GetFiles(Path.Combine(local, "INBOX", "new")).Length + Directory.GetFiles(Path.Combine(local, "INBOX", "cur")).Length);
        Assert.Single(Directory.GetFiles(Path.Combine(local, "Lists", "dev", "cur")).Concat(Directory.GetFiles(Path.Combine(local, "Lists", "dev", "new"))));
        Assert.True(Directory.Exists(Path.Combine(local, "Junk")));

        // Locally: one message marked seen and flagged, one deleted; then sync back.
        var files = Directory.GetFiles(Path.Combine(local, "INBOX", "new")).Concat(Directory.GetFiles(Path.Combine(local, "INBOX", "cur"))).Order().ToList();
        var first = files[0];
        var name = Path.GetFileName(first);
        var baseName = name.Contains(':') ? name[..name.IndexOf(':')] : name;
        File.Move(first, Path.Combine(local, "INBOX", "cur", baseName + ":2,FS"));
        File.Delete(files[1]);
        (exit, output) = await ExternalTool.RunAsync("mbsync", ["-c", config, "-a"]);
        Assert.True(exit == 0, output);

        using var check = await _engine.ConnectImapAsync();
        await check.Inbox.OpenAsync(FolderAccess.ReadOnly);
        var summaries = await check.Inbox.FetchAsync(0, -1, MessageSummaryItems.Flags | MessageSummaryItems.Envelope);
        Assert.Equal(2, summaries.Count);
        Assert.Single(summaries, s => s.Flags!.Value.HasFlag(MessageFlags.Flagged) && s.Flags.Value.HasFlag(MessageFlags.Seen));
    }
}
