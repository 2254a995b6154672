namespace AdminCtl.Tests;

/// <summary>adminctl sieve-test as an operator runs it: script and message files in, actions (or errors with positions) out.</summary>
public sealed class SieveTestCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("sieve-test").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string Write(string name, string text)
    {
        var path = Path.Combine(_folder, name);
        File.WriteAllText(path, text);
        return path;
    }

    private const string Message =
        "From: Boss <boss@example.com>\r\nTo: me@example.com\r\nSubject: [dev] build broken\r\nList-Id: <dev.example.com>\r\n" +
        "Message-ID: <1@example.com>\r\n\r\nThe build is broken.\r\n";

    [Fact]
    public async Task It_prints_the_actions_one_per_line()
    {
        var script = Write("filter.sieve", """
            require ["fileinto", "mailbox", "imap4flags", "variables", "vacation"];
            if header :matches "subject" "[*] *" {
                addflag "\\Seen";
                fileinto :create "Lists/${1}";
            }
            if address :is "from" "boss@example.com" { redirect "phone@example.net"; }
            vacation :subject "Away" "I am away.";
            """);
        var result = await AdminCtlRunner.RunAsync("unused", "sieve-test", script, Write("message.eml", Message));
        Assert.Equal(0, result.ExitCode);
        // The list message gets no vacation reply (RFC 5230 4.5: List-Id), and nothing is kept.
        Assert.Equal("addflag \"\\\\Seen\"\nfileinto \"Lists/dev\" create flags \"\\\\Seen\"\nredirect \"phone@example.net\"\n", result.Stdout);
    }

    [Fact]
    public async Task The_envelope_can_be_given_and_vacation_answers_a_personal_message()
    {
        var script = Write("vacation.sieve", "require \"vacation\"; vacation :days 2 :subject \"Out\" \"Back soon.\";");
        var personal = Write("personal.eml", Message.Replace("List-Id: <dev.example.com>\r\n", "", StringComparison.Ordinal));
        var result = await AdminCtlRunner.RunAsync("unused", "sieve-test", script, personal, "--from", "bounce@example.com", "--to", "me@example.com");
        Assert.Equal(0, result.ExitCode);
        Assert.Equal("vacation to \"bounce@example.com\" subject \"Out\"\nkeep\n", result.Stdout);
    }

    [Fact]
    public async Task A_bad_script_is_reported_with_file_line_and_column()
    {
        var script = Write("bad.sieve", "require \"fileinto\";\nif header :is \"subject\" {\n  fileinto \"x\";\n}\n");
        var result = await AdminCtlRunner.RunAsync("unused", "sieve-test", script, Write("m.eml", Message));
        Assert.Equal(1, result.ExitCode);
        Assert.Equal($"{script}:2:4: header takes 2 argument(s), 1 given", result.Stderr.Trim());
        Assert.Empty(result.Stdout);
    }
}
