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
        // The list message gets no vacation reply (List-Id), the output says why, and nothing is kept.
        Assert.Equal("addflag \"\\\\Seen\"\nfileinto \"Lists/dev\" create flags \"\\\\Seen\"\nredirect \"phone@example.net\"\n"
            + "vacation not sent: the message is list mail (List-Id:, RFC 2369)\n", result.Stdout);
    }

    [Fact]
    public async Task The_envelope_can_be_given_and_vacation_answers_a_personal_message()
    {
        var script = Write("vacation.sieve", "require \"vacation\"; vacation :days 2 :subject \"Out\" \"Back soon.\";");
        var personal = Write("personal.eml", Message.Replace("List-Id: <dev.example.com>\r\n", "", StringComparison.Ordinal));
        var result = await AdminCtlRunner.RunAsync("unused", "sieve-test", script, personal, "--from", "bounce@example.com", "--to", "me@example.com");
        Assert.Equal(0, result.ExitCode);
        Assert.Equal("vacation to \"bounce@example.com\" from \"me@example.com\" subject \"Out\" period 2d\nkeep\n", result.Stdout);
    }

    [Fact]
    public async Task The_null_sender_gets_no_vacation_reply_and_the_output_says_why()
    {
        var script = Write("vacation.sieve", "require \"vacation\"; vacation :subject \"Out\" \"Back soon.\";");
        var personal = Write("personal.eml", Message.Replace("List-Id: <dev.example.com>\r\n", "", StringComparison.Ordinal));
        var result = await AdminCtlRunner.RunAsync("unused", "sieve-test", script, personal, "--from", "<>", "--to", "me@example.com");
        Assert.Equal(0, result.ExitCode);
        Assert.Equal("vacation not sent: the sender is the null sender <> (RFC 5230 4.6)\nkeep\n", result.Stdout);
    }

    [Fact]
    public async Task Spamtest_sees_the_given_score_and_is_zero_untested()
    {
        var script = Write("spam.sieve", """
            require ["spamtest", "relational", "comparator-i;ascii-numeric", "fileinto"];
            if spamtest :value "ge" :comparator "i;ascii-numeric" "6" { fileinto "Junk"; stop; }
            if spamtest :count "eq" :comparator "i;ascii-numeric" "0" { fileinto "Untested"; }
            """);
        var message = Write("m.eml", Message);
        // 8 points is over the default Junk threshold (6): spamtest 6 or more.
        var scored = await AdminCtlRunner.RunAsync("unused", "sieve-test", script, message, "--spam-score", "8");
        Assert.Equal((0, "fileinto \"Junk\"\n"), (scored.ExitCode, scored.Stdout));
        // Not tested: spamtest is "0", and with :count there is no value at all (RFC 5235 3.1).
        var untested = await AdminCtlRunner.RunAsync("unused", "sieve-test", script, message);
        Assert.Equal((0, "fileinto \"Untested\"\n"), (untested.ExitCode, untested.Stdout));
        var clean = await AdminCtlRunner.RunAsync("unused", "sieve-test", script, message, "--spam-score", "1");
        Assert.Equal((0, "keep\n"), (clean.ExitCode, clean.Stdout));
        var bad = await AdminCtlRunner.RunAsync("unused", "sieve-test", script, message, "--spam-score", "lots");
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("--spam-score lots", bad.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Scan_runs_the_engines_scanner_on_the_message()
    {
        var script = Write("spam.sieve", """
            require ["spamtest", "relational", "comparator-i;ascii-numeric", "fileinto"];
            if spamtest :value "ge" :comparator "i;ascii-numeric" "6" { fileinto "Junk"; }
            """);
        var gtube = Write("gtube.eml", "From: a@example.com\r\nTo: me@example.com\r\nSubject: test\r\n\r\nXJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X\r\n");
        var state = Directory.CreateDirectory(Path.Combine(_folder, "state")).FullName;
        var result = await AdminCtlRunner.RunAsync("unused", new Dictionary<string, string> { ["Engine__StateDirectory"] = state }, "sieve-test", script, gtube, "--scan");
        Assert.Equal(0, result.ExitCode);
        // GTUBE's 1000 points and whatever else the bare test message raises (no Date:, no Message-ID:).
        Assert.Matches(@"^# spam score 10\d\d\.\d \(GTUBE[^)]*\)\n", result.Stdout);
        Assert.EndsWith("fileinto \"Junk\"\n", result.Stdout, StringComparison.Ordinal);
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
