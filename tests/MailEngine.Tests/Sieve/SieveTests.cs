using System.Text;
using MailEngine.Sieve;

namespace MailEngine.Tests.Sieve;

/// <summary>The Sieve interpreter against the RFCs' examples (table-driven) and bad scripts with their error positions.</summary>
public sealed class SieveTests
{
    private const string Message =
        "Return-Path: <coyote@desert.example.org>\r\n" +
        "Date: Tue, 1 Apr 1997 09:06:31 -0800 (PST)\r\n" +
        "From: coyote@desert.example.org\r\n" +
        "To: roadrunner@acme.example.com\r\n" +
        "Cc: ken+sieve@example.com\r\n" +
        "Subject: I have a present for you\r\n" +
        "Message-ID: <1234@desert.example.org>\r\n" +
        "X-Caffeine: C8H10N4O2\r\n" +
        "Received: from a by b; Tue, 1 Apr 1997 09:06:31 -0800\r\n" +
        "Received: from c by d; Wed, 2 Apr 1997 10:00:00 +0000\r\n" +
        "\r\n" +
        "Look, I'm sorry about the whole anvil thing, and I really\r\n" +
        "didn't mean to try and drop it on you from the top of the\r\n" +
        "cliff.  I want to try to make it up to you.  I've got some\r\n" +
        "great birdseed over here at my place--top of the line\r\n" +
        "stuff--and if you come by, I'll have it all wrapped up\r\n" +
        "for you.  I'm really sorry for all the problems I've caused.\r\n";

    private static SieveResult Run(string script, string message = Message, string from = "coyote@desert.example.org", string to = "roadrunner@acme.example.com",
        SieveContext? context = null)
    {
        var compiled = SieveParser.Compile(script);
        Assert.True(compiled.Succeeded, string.Join("\n", compiled.Errors));
        var parsed = SieveMessage.Load(new MemoryStream(Encoding.UTF8.GetBytes(message)), new SieveEnvelope(from, to));
        context ??= new SieveContext { Now = new DateTimeOffset(2026, 11, 25, 10, 0, 0, TimeSpan.Zero), Recipient = to, FolderExists = name => name == "Existing" };
        return SieveInterpreter.Run(compiled.Script!, parsed, context);
    }

    private static string Actions(string script, string message = Message, string from = "coyote@desert.example.org", SieveContext? context = null) =>
        Run(script, message, from, context: context).Describe().TrimEnd('\n');

    public static TheoryData<string, string> RfcExamples => new()
    {
        // RFC 5228 (base): an empty script keeps; discard; implicit keep after a test that fails.
        { "", "keep" },
        { "discard;", "discard" },
        { "if size :over 100K { discard; }", "keep" },
        { "if size :under 1M { discard; }", "discard" },
        { "if header :contains \"from\" \"coyote\" { discard; }", "discard" },
        { "if header :is \"subject\" \"I HAVE A PRESENT FOR YOU\" { discard; }", "discard" },
        { "if header :comparator \"i;octet\" :is \"subject\" \"I HAVE A PRESENT FOR YOU\" { discard; }", "keep" },
        { "if header :matches \"Subject\" \"*present*\" { discard; }", "discard" },
        { "if exists [\"From\", \"Date\"] { discard; }", "discard" },
        { "if not exists \"X-Nope\" { discard; }", "discard" },
        { "if anyof (false, address :domain :is \"from\" \"desert.example.org\") { discard; }", "discard" },
        { "if allof (true, address :localpart :is \"to\" \"other\") { discard; } else { redirect \"x@example.net\"; }", "redirect \"x@example.net\"" },
        { "if false { discard; } elsif true { redirect \"a@b.test\"; } else { keep; }", "redirect \"a@b.test\"" },
        { "redirect \"a@b.test\"; redirect \"a@b.test\";", "redirect \"a@b.test\"" },
        { "keep; stop; discard;", "keep" },
        { "require \"fileinto\"; if header :contains \"X-Caffeine\" \"C8H10\" { fileinto \"Drinks\"; }", "fileinto \"Drinks\"" },
        { "require \"fileinto\"; fileinto \"A\"; fileinto \"A\"; keep;", "fileinto \"A\"\nkeep" },
        { "require \"envelope\"; if envelope :all :is \"from\" \"coyote@desert.example.org\" { discard; }", "discard" },
        { "require \"envelope\"; if envelope :domain :is \"to\" \"acme.example.com\" { discard; }", "discard" },
        // RFC 3894 copy.
        { "require \"copy\"; redirect :copy \"a@b.test\";", "redirect \"a@b.test\" copy\nkeep" },
        { "require [\"copy\", \"fileinto\"]; fileinto :copy \"Archive\";", "fileinto \"Archive\" copy\nkeep" },
        // RFC 5429 reject / ereject.
        { "require \"reject\"; reject \"No presents, thanks.\";", "reject \"No presents, thanks.\"" },
        { "require \"ereject\"; ereject \"No.\";", "ereject \"No.\"" },
        // RFC 5229 variables.
        { "require [\"variables\", \"fileinto\"]; if header :matches \"Subject\" \"I have * for *\" { fileinto \"${1}-${2}\"; }", "fileinto \"a present-you\"" },
        { "require [\"variables\", \"fileinto\"]; set :upperfirst \"f\" \"folder\"; fileinto \"${f}\";", "fileinto \"Folder\"" },
        { "require [\"variables\", \"fileinto\"]; set :length \"n\" \"abcd\"; fileinto \"${n}\";", "fileinto \"4\"" },
        { "require \"variables\"; set \"x\" \"y\"; if string :is \"${x}\" \"y\" { discard; }", "discard" },
        { "require \"variables\"; if string :is \"${unknown}\" \"\" { discard; }", "discard" },
        // RFC 5233 subaddress.
        { "require \"subaddress\"; if address :detail \"cc\" \"sieve\" { discard; }", "discard" },
        { "require \"subaddress\"; if address :user \"cc\" \"ken\" { discard; }", "discard" },
        { "require \"subaddress\"; if address :detail \"to\" \"\" { discard; }", "keep" },
        // RFC 5231 relational with i;ascii-numeric.
        { "require \"relational\"; if header :count \"ge\" :comparator \"i;ascii-numeric\" \"received\" \"2\" { discard; }", "discard" },
        // RFC 4790 9.1.1: a value without leading digits is positive infinity for i;ascii-numeric.
        { "require [\"relational\", \"comparator-i;ascii-numeric\"]; if header :value \"gt\" :comparator \"i;ascii-numeric\" \"X-Caffeine\" \"10\" { discard; }", "discard" },
        { "require [\"relational\", \"comparator-i;ascii-numeric\"]; if header :value \"lt\" :comparator \"i;ascii-numeric\" \"X-Caffeine\" \"10\" { discard; }", "keep" },
        { "require \"relational\"; if address :count \"eq\" :comparator \"i;ascii-numeric\" [\"to\", \"cc\"] \"2\" { discard; }", "discard" },
        // RFC 5173 body.
        { "require \"body\"; if body :contains \"birdseed\" { discard; }", "discard" },
        { "require \"body\"; if body :raw :contains \"anvil thing\" { discard; }", "discard" },
        { "require \"body\"; if body :content \"image\" :contains \"birdseed\" { discard; }", "keep" },
        // RFC 5232 imap4flags.
        { "require \"imap4flags\"; addflag \"\\\\Flagged\"; keep;", "addflag \"\\\\Flagged\"\nkeep flags \"\\\\Flagged\"" },
        { "require [\"imap4flags\", \"fileinto\"]; setflag \"\\\\Seen $Work\"; removeflag \"$Work\"; fileinto :flags \"\\\\Answered\" \"Done\";", "setflag \"\\\\Seen\" \"$Work\"\nremoveflag \"$Work\"\nfileinto \"Done\" flags \"\\\\Answered\"" },
        { "require \"imap4flags\"; addflag \"$X\"; if hasflag :is \"$x\" { discard; }", "addflag \"$X\"\ndiscard" },
        // RFC 5260 date and index.
        { "require \"date\"; if date :is :zone \"-0800\" \"date\" \"date\" \"1997-04-01\" { discard; }", "discard" },
        { "require \"date\"; if date :originalzone :is \"date\" \"hour\" \"09\" { discard; }", "discard" },
        { "require \"date\"; if date :is :zone \"+0000\" \"date\" \"weekday\" \"2\" { discard; }", "discard" },
        { "require [\"date\", \"index\"]; if date :index 1 :last :is :zone \"+0000\" \"received\" \"date\" \"1997-04-02\" { discard; }", "discard" },
        { "require [\"date\", \"index\"]; if header :index 2 :contains \"received\" \"from c\" { discard; }", "discard" },
        { "require [\"date\", \"relational\"]; if currentdate :value \"ge\" \"date\" \"2026-01-01\" { discard; }", "discard" },
        { "require \"date\"; if currentdate :zone \"+0100\" :is \"hour\" \"11\" { discard; }", "discard" },
        // RFC 5490 mailbox.
        { "require [\"mailbox\", \"fileinto\"]; if mailboxexists \"Existing\" { fileinto :create \"Lists/dev\"; }", "fileinto \"Lists/dev\" create" },
        { "require \"mailbox\"; if mailboxexists \"Missing\" { discard; }", "keep" },
        // RFC 5228 2.4.2.4 encoded-character.
        { "require [\"encoded-character\", \"fileinto\"]; fileinto \"${hex:49 4e 42 4f 58}2\";", "fileinto \"INBOX2\"" },
        { "require [\"encoded-character\", \"fileinto\"]; fileinto \"${unicode:263a}\";", "fileinto \"\u263a\"" },
        // RFC 5235 spamtest: "0" when the message was not scanned.
        { "require [\"spamtest\", \"relational\", \"comparator-i;ascii-numeric\"]; if spamtest :value \"eq\" :comparator \"i;ascii-numeric\" \"0\" { discard; }", "discard" },
        // Multi-line strings with dot-stuffing.
        { "require \"reject\";\nreject text:\n..first line\nsecond\n.\n;", "reject \".first line\r\nsecond\r\n\"" },
    };

    [Theory]
    [MemberData(nameof(RfcExamples))]
    public void Rfc_examples_take_the_actions_the_RFCs_say(string script, string expected) => Assert.Equal(expected, Actions(script));

    [Fact]
    public void Spamtest_reads_the_scanners_score_and_spamtestplus_its_percentage()
    {
        var context = new SieveContext { Now = DateTimeOffset.UtcNow, Recipient = "roadrunner@acme.example.com", SpamScore = 8.2, SpamPercent = 82 };
        const string script = "require [\"spamtestplus\", \"fileinto\", \"relational\", \"comparator-i;ascii-numeric\"];\n" +
            "if spamtest :percent :value \"ge\" :comparator \"i;ascii-numeric\" \"80\" { fileinto \"Junk\"; stop; }";
        Assert.Equal("fileinto \"Junk\"", Actions(script, context: context));
        Assert.Equal("keep", Actions(script, context: context with { SpamPercent = 10 }));
        Assert.Equal("discard", Actions("require [\"spamtest\", \"relational\", \"comparator-i;ascii-numeric\"]; if spamtest :value \"ge\" :comparator \"i;ascii-numeric\" \"9\" { discard; }", context: context));
    }

    private const string VacationScript = "require \"vacation\"; vacation :days 7 :subject \"Away\" \"I am away until Monday.\";";

    [Fact]
    public void Vacation_replies_once_per_sender_per_period_and_threads_the_reply()
    {
        var memory = new InMemoryVacationMemory();
        var now = new DateTimeOffset(2026, 11, 25, 10, 0, 0, TimeSpan.Zero);
        var context = new SieveContext { Now = now, Recipient = "roadrunner@acme.example.com", Vacations = memory };
        var first = Run(VacationScript, context: context);
        var reply = Assert.IsType<VacationAction>(first.Actions[0]);
        Assert.Equal("coyote@desert.example.org", reply.To);
        Assert.Equal("roadrunner@acme.example.com", reply.From);
        Assert.Equal("<1234@desert.example.org>", reply.InReplyTo);
        Assert.Equal("vacation to \"coyote@desert.example.org\" from \"roadrunner@acme.example.com\" subject \"Away\" period 7d\nkeep", first.Describe().TrimEnd('\n'));
        Assert.Equal("vacation not sent: coyote@desert.example.org was already answered within the period (7d)\nkeep",
            Run(VacationScript, context: context with { Now = now.AddDays(6) }).Describe().TrimEnd('\n'));
        Assert.StartsWith("vacation to", Run(VacationScript, context: context with { Now = now.AddDays(8) }).Describe());
    }

    [Fact]
    public void Vacation_from_is_only_an_address_the_mailbox_may_send_as_and_the_period_is_at_least_a_day()
    {
        var now = new DateTimeOffset(2026, 11, 25, 10, 0, 0, TimeSpan.Zero);
        var context = new SieveContext
        {
            Now = now, Recipient = "roadrunner@acme.example.com", Vacations = new InMemoryVacationMemory(),
            MaySendAs = address => address == "sales@acme.example.com",
        };

        // The reproduction: a user's own filter replying as someone else, for every message.
        const string forged = "require [\"vacation\", \"vacation-seconds\"]; vacation :seconds 0 :from \"ceo@victim.test\" :subject \"Urgent: wire transfer\" \"Pay now.\";";
        var result = Run(forged, context: context);
        var reply = Assert.IsType<VacationAction>(result.Actions[0]);
        Assert.Equal("roadrunner@acme.example.com", reply.From);
        Assert.Equal("ceo@victim.test", reply.IgnoredFrom);
        Assert.Contains("(:from \"ceo@victim.test\" ignored: not an address this mailbox may send as)", result.Describe(), StringComparison.Ordinal);
        Assert.Equal(TimeSpan.FromDays(1), reply.Period);
        // ":seconds 0" does not make it reply again an hour later; a day later it does.
        Assert.DoesNotContain("vacation to", Run(forged, context: context with { Now = now.AddHours(1) }).Describe(), StringComparison.Ordinal);
        Assert.Contains("vacation to", Run(forged, context: context with { Now = now.AddDays(1).AddMinutes(1) }).Describe(), StringComparison.Ordinal);

        // A group the mailbox is in, with a display name, is allowed.
        var group = Run("require \"vacation\"; vacation :from \"Sales <sales@acme.example.com>\" \"Away.\";", context: context with { Vacations = new InMemoryVacationMemory() });
        var allowed = Assert.IsType<VacationAction>(group.Actions[0]);
        Assert.Equal("Sales <sales@acme.example.com>", allowed.From);
        Assert.Null(allowed.IgnoredFrom);
    }

    [Theory]
    [InlineData("Precedence: bulk\r\n", "coyote@desert.example.org", "the message is bulk mail (Precedence: bulk)")]
    [InlineData("Auto-Submitted: auto-replied\r\n", "coyote@desert.example.org", "the message is automatic (Auto-Submitted: auto-replied, RFC 3834 2)")]
    [InlineData("List-Id: <dev.lists.example.org>\r\n", "coyote@desert.example.org", "the message is list mail (List-Id:, RFC 2369)")]
    [InlineData("", "", "the sender is the null sender <> (RFC 5230 4.6)")]
    [InlineData("", "MAILER-DAEMON@desert.example.org", "the sender MAILER-DAEMON@desert.example.org is a daemon or list address (RFC 3834 2)")]
    [InlineData("", "owner-dev@lists.example.org", "the sender owner-dev@lists.example.org is a daemon or list address (RFC 3834 2)")]
    [InlineData("", "dev-request@lists.example.org", "the sender dev-request@lists.example.org is a daemon or list address (RFC 3834 2)")]
    public void Vacation_never_answers_lists_bulk_auto_replies_or_daemons_and_says_why(string extraHeader, string sender, string why)
    {
        var message = extraHeader + Message;
        Assert.Equal($"vacation not sent: {why}\nkeep", Actions(VacationScript, message, sender));
    }

    [Fact]
    public void Vacation_does_not_answer_mail_that_is_not_addressed_to_the_user()
    {
        var context = new SieveContext { Now = DateTimeOffset.UtcNow, Recipient = "someone-else@acme.example.com" };
        Assert.Equal("vacation not sent: the message is not addressed to someone-else@acme.example.com in To/Cc/Bcc (RFC 5230 4.5)\nkeep", Actions(VacationScript, context: context));
        Assert.StartsWith("vacation to", Actions(VacationScript.Replace(":days 7", ":days 7 :addresses [\"roadrunner@acme.example.com\"]", StringComparison.Ordinal), context: context));
    }

    [Theory]
    [InlineData("keep", "1:5: missing ';' at end of script")]
    [InlineData("if true { keep; ", "1:17: missing '}' at end of script")]
    [InlineData("fileinto \"x\";", "1:1: fileinto needs require \"fileinto\"")]
    [InlineData("require \"nosuch\";", "1:9: unsupported extension \"nosuch\"")]
    [InlineData("keep;\nrequire \"fileinto\";", "2:1: require must come before any other command")]
    [InlineData("frobnicate;", "1:1: unknown command \"frobnicate\"")]
    [InlineData("if blah { keep; }", "1:4: unknown test \"blah\"")]
    [InlineData("else { keep; }", "1:1: else without a preceding if")]
    [InlineData("if header :is \"a\" { keep; }", "1:4: header takes 2 argument(s), 1 given")]
    [InlineData("if header :bogus \"a\" \"b\" { keep; }", "1:4: header has no tag :bogus")]
    [InlineData("if header :is :contains \"a\" \"b\" { keep; }", "1:4: :contains and :is cannot both be given")]
    [InlineData("if size 10 { keep; }", "1:4: size needs :over or :under")]
    [InlineData("require \"relational\";\nif header :value \"xx\" \"a\" \"b\" { keep; }", "2:4: invalid relational operator \"xx\"")]
    [InlineData("if header :comparator \"i;nope\" :is \"a\" \"b\" { keep; }", "1:4: unsupported comparator \"i;nope\"")]
    [InlineData("redirect \"a@b\"\nkeep;", "2:1: missing ';' before \"keep\"")]
    [InlineData("if true keep;", "1:1: if needs a block")]
    [InlineData("/* never closed", "1:1: unterminated comment")]
    [InlineData("reject \"x", "1:8: unterminated string")]
    [InlineData("if size :over 99999999999G { keep; }", "1:15: number too large")]
    public void Bad_scripts_are_refused_with_the_position_of_the_error(string script, string error)
    {
        var compiled = SieveParser.Compile(script);
        Assert.False(compiled.Succeeded);
        Assert.Equal(error, compiled.Errors[0].ToString());
    }

    [Fact]
    public void Limits_refuse_oversized_deep_or_busy_scripts()
    {
        Assert.Contains("larger than", SieveParser.Compile(new string('#', 70 * 1024)).Errors[0].Message);
        var deep = string.Concat(Enumerable.Repeat("if true { ", 40)) + "keep;" + string.Concat(Enumerable.Repeat(" }", 40));
        Assert.Contains("nested deeper", SieveParser.Compile(deep).Errors[0].Message);
        // Tests nest without blocks too: not not ... and allof(allof(...)) stop at the same limit.
        Assert.Contains("nested deeper", SieveParser.Compile("if " + string.Concat(Enumerable.Repeat("not ", 10_000)) + "true { keep; }").Errors[0].Message);
        Assert.Contains("nested deeper", SieveParser.Compile("if " + string.Concat(Enumerable.Repeat("allof(", 5_000)) + "true" + new string(')', 5_000) + " { keep; }").Errors[0].Message);

        var busy = "require \"fileinto\";\n" + string.Concat(Enumerable.Range(0, 40).Select(i => $"fileinto \"f{i}\";\n"));
        var result = Run(busy);
        Assert.Equal("more than 32 actions", result.Error);
        Assert.Equal("keep", Assert.Single(result.Actions).Describe());

        var redirects = string.Concat(Enumerable.Range(0, 5).Select(i => $"redirect \"r{i}@example.net\";"));
        Assert.Equal("more than 4 redirects", Run(redirects).Error);
    }

    [Fact]
    public void A_hostile_matches_pattern_ends_quickly_without_matching()
    {
        var message = "Subject: " + new string('a', 5000) + "\r\n\r\nx\r\n";
        // Without the step budget this backtracks for longer than the test run; with it, the run ends
        // as a runtime error and the message is kept.
        var result = Run("if header :matches \"subject\" \"*a*a*a*a*a*a*a*a*a*b\" { discard; }", message);
        Assert.True(result.BudgetExceeded);
        Assert.Equal("keep", Assert.Single(result.Actions).Describe());
    }

    [Fact]
    public void One_budget_covers_every_key_and_value_of_a_run()
    {
        // The reproduction: 100 hostile keys against 5 long headers. Each pair stayed within a per-pair
        // budget, so together they took 14 CPU-seconds; one budget per run ends it after its steps.
        var keys = string.Join(", ", Enumerable.Range(0, 100).Select(i => $"\"*a*a*a*a*a*a*a*{i}b\""));
        var message = string.Concat(Enumerable.Range(0, 5).Select(_ => "X-A: " + new string('a', 4000) + "\r\n")) + "Subject: s\r\n\r\nx\r\n";
        var limits = SieveLimits.Default with { MaxRunSteps = 100_000, MaxRunTime = TimeSpan.FromMinutes(5) };
        var context = new SieveContext { Now = DateTimeOffset.UtcNow, Recipient = "roadrunner@acme.example.com", Limits = limits };
        var result = Run($"if header :matches \"x-a\" [{keys}] {{ discard; }}", message, context: context);
        Assert.True(result.BudgetExceeded);
        Assert.Equal("the script ran more than 100000 steps", result.Error);
        Assert.Equal("keep", Assert.Single(result.Actions).Describe());

        // The wall-clock bound ends a run as well, whatever its step count.
        var slow = new SieveContext { Now = DateTimeOffset.UtcNow, Recipient = "roadrunner@acme.example.com", Limits = SieveLimits.Default with { MaxRunTime = TimeSpan.Zero } };
        Assert.StartsWith("the script ran longer than", Run($"if header :matches \"x-a\" [{keys}] {{ discard; }}", message, context: slow).Error);

        // A key with more wildcards than backtracking may nest is refused at run time, not recursed into.
        var stars = Run("if header :matches \"subject\" \"" + new string('*', 1000) + "x\" { discard; }");
        Assert.Equal("a :matches key has more than 64 wildcards", stars.Error);
    }

    [Fact]
    public void Reject_combined_with_keep_is_a_runtime_error_and_keeps_the_message()
    {
        var result = Run("require \"reject\"; keep; reject \"no\";");
        Assert.NotNull(result.Error);
        Assert.Equal("keep", Assert.Single(result.Actions).Describe());
    }

    [Fact]
    public void The_consoles_vacation_script_compiles_and_runs_within_its_period()
    {
        // As VacationSieveScript writes it (RFC 5230 with RFC 5260 currentdate for the period).
        const string script = "require [\"vacation\", \"date\", \"relational\"];\n" +
            "if allof (currentdate :value \"ge\" \"iso8601\" \"2026-11-01T00:00:00+00:00\", currentdate :value \"le\" \"iso8601\" \"2026-12-01T00:00:00+00:00\") {\n" +
            "  vacation :days 3 :subject \"Out of office\" \"Back in December.\";\n}\n";
        Assert.StartsWith("vacation to \"coyote@desert.example.org\"", Actions(script));
        var later = new SieveContext { Now = new DateTimeOffset(2027, 1, 5, 0, 0, 0, TimeSpan.Zero), Recipient = "roadrunner@acme.example.com" };
        Assert.Equal("keep", Actions(script, context: later));
    }
}
