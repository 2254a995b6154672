using MailEngine.Addressing;

namespace MailEngine.Tests.Addressing;

public sealed class EmailAddressTests
{
    [Theory]
    [InlineData("alice@example.com", "alice@example.com")]
    [InlineData("  Alice@Example.COM ", "alice@example.com")]
    [InlineData("first.last+tag@example.com", "first.last+tag@example.com")]
    [InlineData("user@mail.example.com.", "user@mail.example.com")]
    [InlineData("info@Bücher.example", "info@xn--bcher-kva.example")]
    [InlineData("info@xn--bcher-kva.example", "info@xn--bcher-kva.example")]
    [InlineData("JÖRG@example.de", "jörg@example.de")]
    [InlineData("!#$%&'*+-/=?^_`{|}~@example.org", "!#$%&'*+-/=?^_`{|}~@example.org")]
    public void Valid_addresses_are_normalized(string input, string expected)
    {
        Assert.True(EmailAddress.TryParse(input, out var address, out var error), error);
        Assert.Equal(expected, address.ToString());
    }

    [Fact]
    public void The_same_mailbox_written_two_ways_is_one_address() =>
        Assert.Equal(EmailAddress.Parse("Info@BÜCHER.example"), EmailAddress.Parse("info@xn--bcher-kva.example"));

    [Fact]
    public void Unicode_local_parts_are_kept_in_NFC()
    {
        var decomposed = "jo\u0308rg@example.de"; // o + combining diaeresis
        Assert.Equal("j\u00f6rg@example.de", EmailAddress.Parse(decomposed).ToString());
    }

    [Theory]
    [InlineData("", "required")]
    [InlineData("no-at-sign", "'@'")]
    [InlineData("@example.com", "'@'")]
    [InlineData("user@", "'@'")]
    [InlineData(".user@example.com", "dot")]
    [InlineData("user.@example.com", "dot")]
    [InlineData("us..er@example.com", "dot")]
    [InlineData("us er@example.com", "' '")]
    [InlineData("us\"er@example.com", "'\"'")]
    [InlineData("user@localhost", "two labels")]
    [InlineData("user@-bad.example", "not a valid domain")]
    [InlineData("user@exa_mple.com", "not a valid domain")]
    [InlineData("user@example.123", "numeric")]
    [InlineData("user@exa..mple.com", "not a valid domain")]
    public void Invalid_addresses_are_refused_with_a_reason(string input, string reasonFragment)
    {
        Assert.False(EmailAddress.TryParse(input, out _, out var error));
        Assert.Contains(reasonFragment, error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_local_part_over_64_octets_is_refused_RFC_5321_4_5_3_1_1()
    {
        Assert.True(EmailAddress.TryParse(new string('a', 64) + "@example.com", out _, out _));
        Assert.False(EmailAddress.TryParse(new string('a', 65) + "@example.com", out _, out var error));
        Assert.Contains("64", error, StringComparison.Ordinal);
        // Octets, not characters: 33 two-byte characters are 66 octets.
        Assert.False(EmailAddress.TryParse(new string('é', 33) + "@example.com", out _, out _));
    }

    [Fact]
    public void A_label_over_63_octets_is_refused()
    {
        Assert.True(EmailAddress.TryParse($"a@{new string('b', 63)}.com", out _, out _));
        Assert.False(EmailAddress.TryParse($"a@{new string('b', 64)}.com", out _, out _));
    }

    [Fact]
    public void An_address_over_254_octets_is_refused()
    {
        var domain = string.Join('.', Enumerable.Repeat(new string('d', 60), 3)) + ".example"; // 190 octets
        Assert.True(EmailAddress.TryParse($"{new string('l', 63)}@{domain}", out _, out _));
        Assert.False(EmailAddress.TryParse($"{new string('l', 64)}@{domain}", out _, out var error));
        Assert.Contains("254", error, StringComparison.Ordinal);
    }
}
