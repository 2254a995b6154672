using MailEngine.Smtp;

namespace MailEngine.Tests.Smtp;

/// <summary>MAIL FROM / RCPT TO arguments (RFC 5321 4.1.2) with their parameters.</summary>
public sealed class SmtpPathTests
{
    [Theory]
    [InlineData("FROM:<alice@example.com>", "alice@example.com")]
    [InlineData("FROM: <Alice@Example.COM>", "alice@example.com")]
    [InlineData("from:<@relay.example,@other.example:bob@example.com>", "bob@example.com")] // source route, RFC 5321 4.1.1.3
    public void Paths_are_parsed_and_normalized(string argument, string expected)
    {
        var path = SmtpPath.TryParse(argument, "FROM", allowNull: false, out var error);
        Assert.Null(error);
        Assert.Equal(expected, path!.Address!.Value.ToString());
    }

    [Fact]
    public void The_null_path_is_allowed_for_MAIL_only()
    {
        Assert.True(SmtpPath.TryParse("FROM:<>", "FROM", allowNull: true, out _)!.IsNull);
        Assert.Null(SmtpPath.TryParse("TO:<>", "TO", allowNull: false, out var error));
        Assert.Equal(501, error!.Code);
    }

    [Fact]
    public void Parameters_are_read_case_insensitively()
    {
        var path = SmtpPath.TryParse("FROM:<a@b.example> size=1000 BODY=8BITMIME SMTPUTF8", "FROM", true, out _)!;
        Assert.Equal("1000", path.Parameters["SIZE"]);
        Assert.Equal("8BITMIME", path.Parameters["body"]);
        Assert.True(path.Parameters.ContainsKey("SMTPUTF8"));
        Assert.Null(path.Parameters["SMTPUTF8"]);
    }

    [Theory]
    [InlineData("FROM alice@example.com", "5.5.4")]
    [InlineData("FROM:alice@example.com", "5.5.4")]
    [InlineData("FROM:<alice@example.com", "5.5.4")]
    [InlineData("FROM:<not-an-address>", "5.1.3")]
    [InlineData("FROM:<a@b.example> =x", "5.5.4")]
    [InlineData("TO:<a@b.example>", "5.5.4")]
    public void Bad_syntax_gets_501_with_a_reason(string argument, string enhanced)
    {
        Assert.Null(SmtpPath.TryParse(argument, "FROM", allowNull: true, out var error));
        Assert.Equal(501, error!.Code);
        Assert.Equal(enhanced, error.Enhanced);
    }
}
