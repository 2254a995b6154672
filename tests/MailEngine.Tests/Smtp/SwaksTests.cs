using MailEngine.Tests.Support;

namespace MailEngine.Tests.Smtp;

/// <summary>swaks, the SMTP test tool from Debian, as a second real client besides MailKit.</summary>
public sealed class SwaksTests : IAsyncLifetime
{
    private TestEngine _engine = default!;

    public async Task InitializeAsync() => _engine = await TestEngine.StartAsync(TestEngine.StandardSnapshot());

    public async Task DisposeAsync() => await _engine.DisposeAsync();

    private static Task<(int ExitCode, string Output)> SwaksAsync(params string[] args) => ExternalTool.RunAsync("swaks", args);

    [Fact]
    public async Task Swaks_delivers_to_the_MX_listener()
    {
        var (exit, output) = await SwaksAsync("--server", $"127.0.0.1:{_engine.Mx.Port}", "--ehlo", "swaks.test",
            "--from", "swaks@outside.test", "--to", "bob@example.test", "--header", "Subject: from swaks", "--body", "Sent by swaks.");
        Assert.True(exit == 0, output);
        Assert.Contains("250 2.0.0 Ok: queued as", output, StringComparison.Ordinal);
        var stored = await File.ReadAllTextAsync(Assert.Single(await _engine.WaitForInboxAsync("bob@example.test", 1)));
        Assert.Contains("Subject: from swaks", stored, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Swaks_submits_over_STARTTLS_with_AUTH_PLAIN()
    {
        var (exit, output) = await SwaksAsync("--server", $"127.0.0.1:{_engine.Submission.Port}", "--tls", "--auth", "PLAIN",
            "--auth-user", "alice@example.test", "--auth-password", TestEngine.Password,
            "--from", "alice@example.test", "--to", "bob@example.test", "--header", "Subject: submitted by swaks");
        Assert.True(exit == 0, output);
        Assert.Contains("235 2.7.0 Authentication successful", output, StringComparison.Ordinal);
        Assert.Single(await _engine.WaitForInboxAsync("bob@example.test", 1));
    }

    [Fact]
    public async Task Swaks_sees_an_unknown_recipient_refused_with_550_5_1_1()
    {
        var (exit, output) = await SwaksAsync("--server", $"127.0.0.1:{_engine.Mx.Port}", "--from", "x@outside.test", "--to", "ghost@example.test");
        Assert.NotEqual(0, exit);
        Assert.Contains("550 5.1.1", output, StringComparison.Ordinal);
        Assert.Equal(0, _engine.SpoolFiles);
    }

    [Fact]
    public async Task Swaks_with_a_wrong_password_gets_535()
    {
        var (exit, output) = await SwaksAsync("--server", $"127.0.0.1:{_engine.Submissions.Port}", "--tlsc", "--auth", "LOGIN",
            "--auth-user", "alice@example.test", "--auth-password", "not-it", "--from", "alice@example.test", "--to", "bob@example.test");
        Assert.NotEqual(0, exit);
        Assert.Contains("535 5.7.8", output, StringComparison.Ordinal);
    }
}
