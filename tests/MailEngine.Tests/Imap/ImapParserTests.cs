using System.Text;
using MailEngine.Imap.Fetch;
using MailEngine.Imap.Protocol;
using MailEngine.Store;

namespace MailEngine.Tests.Imap;

/// <summary>The protocol parser and the MIME structure code on their own: RFC examples and bad input.</summary>
public sealed class ImapParserTests
{
    private static ImapCommand Parse(params object[] parts)
    {
        var builder = new ImapCommandBuilder();
        foreach (var part in parts)
        {
            if (part is string line) builder.FeedLine(Encoding.UTF8.GetBytes(line));
            else builder.FeedLiteral((byte[])part);
        }

        return builder.Build();
    }

    [Fact]
    public void A_command_with_quoted_strings_lists_and_a_fetch_section_is_tokenized()
    {
        var command = Parse("a001 UID FETCH 1:* (FLAGS BODY.PEEK[HEADER.FIELDS (From \"To\")]<0.100>) (CHANGEDSINCE 12)");
        Assert.Equal("a001", command.Tag);
        Assert.Equal("FETCH", command.Name);
        Assert.True(command.Uid);
        Assert.Equal("1:*", command.Arguments[0].Text);
        Assert.Equal(2, command.Arguments[1].Items.Count);
        Assert.Equal("BODY.PEEK[HEADER.FIELDS (From \"To\")]<0.100>", command.Arguments[1].Items[1].Text);
        Assert.Equal("CHANGEDSINCE", command.Arguments[2].Items[0].Text);
    }

    [Fact]
    public void Literals_synchronizing_and_non_synchronizing_are_announced_and_fed()
    {
        var builder = new ImapCommandBuilder();
        var first = builder.FeedLine("A003 APPEND saved-messages (\\Seen) {310}"u8);
        Assert.Equal(new LiteralAnnouncement(310, false), first);
        builder.FeedLiteral(new byte[310]);
        Assert.Null(builder.FeedLine(""u8));
        var command = builder.Build();
        Assert.Equal("APPEND", command.Name);
        Assert.Equal(ImapValueKind.Literal, command.Arguments[2].Kind);
        Assert.Equal(310, command.Arguments[2].Bytes!.Length);

        var plus = new ImapCommandBuilder().FeedLine("a LOGIN {5+}"u8);
        Assert.Equal(new LiteralAnnouncement(5, true), plus);
    }

    [Fact]
    public void Quoted_strings_unescape_backslash_and_quote()
    {
        var command = Parse("t LOGIN \"a\\\"b\" \"c\\\\d\"");
        Assert.Equal("a\"b", command.Arguments[0].Text);
        Assert.Equal("c\\d", command.Arguments[1].Text);
    }

    [Theory]
    [InlineData("t FETCH 1 (FLAGS", "Unbalanced '('")]
    [InlineData("t FETCH 1 FLAGS)", "Unbalanced ')'")]
    [InlineData("t LOGIN \"unterminated", "Unterminated or invalid quoted string")]
    [InlineData("t LOGIN \"bad\\escape\"", "Unterminated or invalid quoted string")]
    [InlineData("+tag NOOP", "Missing or invalid tag")]
    [InlineData("tagonly", "Missing command")]
    [InlineData("t APPEND x {12x}", "Invalid literal")]
    public void Malformed_commands_are_refused_with_a_reason(string line, string reason)
    {
        var e = Assert.Throws<ImapCommandException>(() => Parse(line));
        Assert.True(e.Bad);
        Assert.Equal(reason, e.Message);
    }

    [Theory]
    [InlineData("1:3,7", 10u, new uint[] { 1, 2, 3, 7 })]
    [InlineData("4:2", 10u, new uint[] { 2, 3, 4 })]
    [InlineData("8:*", 10u, new uint[] { 8, 9, 10 })]
    [InlineData("*", 10u, new uint[] { 10 })]
    [InlineData("12:*", 10u, new uint[] { 10 })]
    public void Sequence_sets_follow_RFC_3501(string text, uint largest, uint[] members)
    {
        var set = SequenceSet.Parse(text);
        var all = Enumerable.Range(1, (int)largest).Select(i => (uint)i).ToList();
        Assert.Equal(members, set.IndexesIn(all).Select(i => all[i]));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("1:")]
    [InlineData("01")]
    [InlineData("1,,2")]
    [InlineData("a")]
    [InlineData("")]
    public void Invalid_sequence_sets_are_refused(string text) => Assert.False(SequenceSet.TryParse(text, out _));

    [Fact]
    public void Uid_sets_for_COPYUID_are_written_compactly() =>
        Assert.Equal("1:3,7,9:10", SequenceSet.Format([1, 2, 3, 7, 9, 10]));

    [Theory]
    [InlineData("BODY[]", "BODY[]")]
    [InlineData("BODY.PEEK[HEADER.FIELDS (DATE FROM)]", "BODY[HEADER.FIELDS (DATE FROM)]")]
    [InlineData("body[1.2.mime]", "BODY[1.2.MIME]")]
    [InlineData("BODY[TEXT]<0.2048>", "BODY[TEXT]<0>")]
    public void Fetch_sections_are_parsed_and_named_as_the_response_names_them(string text, string response)
    {
        var item = FetchItem.Parse(text);
        Assert.Equal(FetchKind.Section, item.Kind);
        Assert.Equal(response, item.ResponseName());
        Assert.Equal(text.StartsWith("BODY.PEEK", StringComparison.OrdinalIgnoreCase), item.Peek);
    }

    [Theory]
    [InlineData("BODY[MIME]")]
    [InlineData("BODY[0]")]
    [InlineData("BODY[HEADER.FIELDS]")]
    [InlineData("BODY[]<5>")]
    [InlineData("BODY[TEXT]<0.0>")]
    [InlineData("RFC822.BOGUS")]
    public void Invalid_fetch_attributes_are_refused(string text) => Assert.Throws<ImapCommandException>(() => FetchItem.Parse(text));

    // RFC 2046 5.1.1's example, with a nested message/rfc822 part added.
    private const string Multipart =
        "From: Nathaniel Borenstein <nsb@bellcore.com>\r\n" +
        "To: Ned Freed <ned@innosoft.com>\r\n" +
        "Date: Sun, 21 Mar 1993 23:56:48 -0800 (PST)\r\n" +
        "Subject: Sample message\r\n" +
        "MIME-Version: 1.0\r\n" +
        "Content-type: multipart/mixed; boundary=\"simple boundary\"\r\n" +
        "\r\n" +
        "This is the preamble.  It is to be ignored, though it\r\n" +
        "is a handy place for composition agents to include an\r\n" +
        "explanatory note to non-MIME conformant readers.\r\n" +
        "\r\n" +
        "--simple boundary\r\n" +
        "\r\n" +
        "This is implicitly typed plain US-ASCII text.\r\n" +
        "It does NOT end with a linebreak.\r\n" +
        "--simple boundary\r\n" +
        "Content-type: text/plain; charset=us-ascii\r\n" +
        "\r\n" +
        "This is explicitly typed plain US-ASCII text.\r\n" +
        "It DOES end with a linebreak.\r\n" +
        "\r\n" +
        "--simple boundary\r\n" +
        "Content-Type: message/rfc822\r\n" +
        "\r\n" +
        "Subject: inner\r\n" +
        "From: inner@example.test\r\n" +
        "\r\n" +
        "Inner body.\r\n" +
        "\r\n" +
        "--simple boundary--\r\n" +
        "\r\n" +
        "This is the epilogue.  It is also to be ignored.\r\n";

    [Fact]
    public void The_structure_of_RFC_2046s_example_is_found_with_exact_part_contents()
    {
        var bytes = Encoding.ASCII.GetBytes(Multipart);
        var root = MimeStructureParser.Parse(bytes);
        Assert.True(root.IsMultipart);
        Assert.Equal(3, root.Parts.Count);
        string Section(string text) => Encoding.ASCII.GetString(FetchItem.Parse($"BODY[{text}]").Extract(bytes, root).Span);
        Assert.Equal("This is implicitly typed plain US-ASCII text.\r\nIt does NOT end with a linebreak.", Section("1"));
        Assert.Equal("This is explicitly typed plain US-ASCII text.\r\nIt DOES end with a linebreak.\r\n", Section("2"));
        Assert.Equal("Content-type: text/plain; charset=us-ascii\r\n\r\n", Section("2.MIME"));
        Assert.Equal("Subject: inner\r\nFrom: inner@example.test\r\n\r\n", Section("3.HEADER"));
        Assert.Equal("Inner body.\r\n", Section("3.TEXT"));
        Assert.Equal("Inner body.\r\n", Section("3.1"));
        Assert.Equal("Subject: Sample message\r\n\r\n", Section("HEADER.FIELDS (SUBJECT)"));
        Assert.Equal("", Section("4"));
        Assert.StartsWith("From: Nathaniel", Section("HEADER"));
    }

    [Fact]
    public void Bodystructure_and_envelope_are_written_as_RFC_3501_shows_them()
    {
        var bytes = Encoding.ASCII.GetBytes(Multipart);
        var root = MimeStructureParser.Parse(bytes);
        var writer = new ImapWriter(() => Stream.Null);
        BodyStructureWriter.Write(writer, bytes, root, extensible: false);
        var body = Encoding.ASCII.GetString(writer.ToArray());
        Assert.Equal(
            "((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"us-ascii\") NIL NIL \"7BIT\" 80 2)" +
            "(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"us-ascii\") NIL NIL \"7BIT\" 78 2)" +
            "(\"MESSAGE\" \"RFC822\" NIL NIL NIL \"7BIT\" 57 (NIL \"inner\" ((NIL NIL \"inner\" \"example.test\")) ((NIL NIL \"inner\" \"example.test\")) ((NIL NIL \"inner\" \"example.test\")) NIL NIL NIL NIL NIL) (\"TEXT\" \"PLAIN\" (\"CHARSET\" \"us-ascii\") NIL NIL \"7BIT\" 13 1) 4)" +
            " \"MIXED\")", body);

        EnvelopeWriter.Write(writer, bytes, root);
        Assert.Equal(
            "(\"Sun, 21 Mar 1993 23:56:48 -0800 (PST)\" \"Sample message\" ((\"Nathaniel Borenstein\" NIL \"nsb\" \"bellcore.com\")) " +
            "((\"Nathaniel Borenstein\" NIL \"nsb\" \"bellcore.com\")) ((\"Nathaniel Borenstein\" NIL \"nsb\" \"bellcore.com\")) " +
            "((\"Ned Freed\" NIL \"ned\" \"innosoft.com\")) NIL NIL NIL NIL)", Encoding.ASCII.GetString(writer.ToArray()));
    }

    [Fact]
    public void A_group_address_and_an_encoded_name_appear_in_the_envelope_as_RFC_3501_says()
    {
        var bytes = Encoding.UTF8.GetBytes("From: =?utf-8?q?J=C3=B6rg?= <j@x.test>\r\nTo: undisclosed-recipients:;\r\nCc: Team: a@x.test;\r\n\r\nx\r\n");
        var writer = new ImapWriter(() => Stream.Null);
        EnvelopeWriter.Write(writer, bytes, MimeStructureParser.Parse(bytes));
        var envelope = Encoding.ASCII.GetString(writer.ToArray());
        Assert.Contains("((\"=?utf-8?b?SsO2cmc=?=\" NIL \"j\" \"x.test\"))", envelope, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("((NIL NIL \"Team\" NIL)(NIL NIL \"a\" \"x.test\")(NIL NIL NIL NIL))", envelope);
    }

    [Fact]
    public void A_message_without_a_blank_line_or_with_a_missing_final_boundary_still_parses()
    {
        var headerOnly = "Subject: only a header\r\n"u8.ToArray();
        var root = MimeStructureParser.Parse(headerOnly);
        Assert.Equal(headerOnly.Length, root.BodyStart);
        Assert.Equal(0, root.BodyLength);

        var truncated = Encoding.ASCII.GetBytes("Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\r\none\r\n--b\r\n\r\ntwo, never closed\r\n");
        var parts = MimeStructureParser.Parse(truncated).Parts;
        Assert.Equal(2, parts.Count);
        Assert.Equal("two, never closed\r\n", Encoding.ASCII.GetString(truncated.AsSpan(parts[1].BodyStart, parts[1].BodyLength)));
    }

    [Fact]
    public void Deep_nesting_is_bounded()
    {
        var builder = new StringBuilder();
        for (var i = 0; i < 200; i++) builder.Append("Content-Type: message/rfc822\r\n\r\n");
        builder.Append("end\r\n");
        var root = MimeStructureParser.Parse(Encoding.ASCII.GetBytes(builder.ToString()));
        var depth = 0;
        for (var node = root; node.Message is { } inner; node = inner) depth++;
        Assert.InRange(depth, 1, 60);
    }

    [Theory]
    [InlineData("nsb@bellcore.com")]
    [InlineData("Ned Freed <ned@innosoft.com>")]
    [InlineData("\"Freed, Ned\" <ned@innosoft.com>")]
    [InlineData("  <ned@innosoft.com>  ")]
    [InlineData("\"\" <ned@innosoft.com>")]
    public void The_plain_address_shortcut_reads_what_MimeKit_reads(string value)
    {
        var simple = EnvelopeWriter.TrySimple(value, out var name, out var local, out var domain);
        Assert.True(MimeKit.InternetAddressList.TryParse(value, out var list));
        var mailbox = Assert.IsType<MimeKit.MailboxAddress>(Assert.Single(list));
        if (!simple) return; // left to MimeKit, which is right by definition here
        Assert.Equal(string.IsNullOrEmpty(mailbox.Name) ? null : mailbox.Name, name);
        Assert.Equal(mailbox.Address, local + "@" + domain);
    }

    [Theory]
    [InlineData("a@b.test, c@d.test")]
    [InlineData("Name (comment) <a@b.test>")]
    [InlineData("=?utf-8?q?J=C3=B6rg?= <j@x.test>")]
    [InlineData("Group: a@b.test;")]
    [InlineData("J\u00f6rg <j@x.test>")]
    [InlineData("\"a\\\"b\" <a@b.test>")]
    public void Anything_but_a_plain_mailbox_is_left_to_MimeKit(string value) =>
        Assert.False(EnvelopeWriter.TrySimple(value, out _, out _, out _));

    [Fact]
    public void Lists_nest_up_to_the_limit_and_no_deeper_and_a_bad_command_still_reports_its_trailing_literal()
    {
        var depth = ImapCommandBuilder.MaxNesting;
        var ok = Parse("a NOOP " + new string('(', depth) + new string(')', depth));
        var value = ok.Arguments[0];
        for (var i = 1; i < depth; i++) value = value.Items[0];
        Assert.True(value.IsList);

        var builder = new ImapCommandBuilder();
        var literal = builder.FeedLine(Encoding.ASCII.GetBytes("a NOOP " + new string('(', depth + 1) + " {5+}"));
        Assert.Equal(new LiteralAnnouncement(5, true), literal);
        builder.FeedLiteral("xxxxx"u8.ToArray());
        Assert.Null(builder.FeedLine("))"u8));
        Assert.Equal("a", builder.Tag);
        Assert.Equal("Parentheses nested too deeply", Assert.Throws<ImapCommandException>(builder.Build).Message);
    }

    [Fact]
    public void A_value_renders_at_most_a_short_prefix_however_deep_or_long_it_is()
    {
        var deep = ImapValue.Atom("x");
        for (var i = 0; i < 200_000; i++) deep = ImapValue.List([deep]);
        var text = deep.ToString();
        Assert.Equal(new string('(', ImapValue.MaxRenderedLength) + "...", text);

        var wide = ImapValue.List([ImapValue.Quoted(new string('q', 10_000)), ImapValue.Atom("b")]);
        Assert.Equal("(\"" + new string('q', ImapValue.MaxRenderedLength - 2) + "...", wide.ToString());
        Assert.Equal("(a {3} \"b\")", ImapValue.List([ImapValue.Atom("a"), ImapValue.Literal([1, 2, 3]), ImapValue.Quoted("b")]).ToString());
    }

    [Theory]
    [InlineData("ok", "ok")]
    [InlineData("Invalid date-time \"x\r\n* OK forged\"", "Invalid date-time \"x??* OK forged\"")]
    public void Response_text_has_no_control_characters(string message, string expected) =>
        Assert.Equal(expected, ImapCommandException.ResponseText(message));

    [Fact]
    public void Response_text_is_cut_short() =>
        Assert.Equal(ImapCommandException.MaxResponseText + 3, ImapCommandException.ResponseText(new string('m', 100_000)).Length);

    [Fact]
    public void Deep_MIME_nesting_and_SEARCH_nesting_stop_at_their_limits()
    {
        // 5,000 nested multiparts: the structure is cut at its depth limit instead of recursing on.
        var message = new StringBuilder();
        for (var i = 0; i < 5000; i++) message.Append($"Content-Type: multipart/mixed; boundary=\"b{i}\"\r\n\r\n--b{i}\r\n");
        message.Append("Content-Type: text/plain\r\n\r\nleaf\r\n");
        var node = MimeStructureParser.Parse(Encoding.ASCII.GetBytes(message.ToString()));
        var depth = 0;
        while (node.Parts.Count > 0) { node = node.Parts[0]; depth++; }
        Assert.InRange(depth, 1, 50);

        var not = Enumerable.Repeat(ImapValue.Atom("NOT"), 10_000).Append(ImapValue.Atom("ALL")).ToList();
        Assert.Contains("nested too deeply", Assert.Throws<ImapCommandException>(() => SearchKey.Parse(new ImapArguments(not))).Message);
    }
}
