using AdminConsole.Core.Security;

namespace AdminConsole.Core.Tests.Security;

public sealed class TotpTests
{
    // RFC 6238 Appendix B, SHA1 rows: the ASCII secret "12345678901234567890", 8 digits, 30-second steps.
    private static readonly byte[] RfcSecret = "12345678901234567890"u8.ToArray();

    [Theory]
    [InlineData(59L, "94287082")]
    [InlineData(1111111109L, "07081804")]
    [InlineData(1111111111L, "14050471")]
    [InlineData(1234567890L, "89005924")]
    [InlineData(2000000000L, "69279037")]
    [InlineData(20000000000L, "65353130")]
    public void Codes_match_the_RFC_6238_test_vectors(long unixTime, string expected) =>
        Assert.Equal(expected, Totp.Code(RfcSecret, Totp.StepAt(DateTimeOffset.FromUnixTimeSeconds(unixTime)), digits: 8));

    [Fact]
    public void A_code_is_accepted_one_step_either_side_and_never_twice()
    {
        var now = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000);
        var step = Totp.StepAt(now);
        var previous = Totp.Code(RfcSecret, step - 1);
        Assert.Equal(step - 1, Totp.Verify(RfcSecret, previous, now, null));
        Assert.Null(Totp.Verify(RfcSecret, Totp.Code(RfcSecret, step - 2), now, null));
        Assert.Null(Totp.Verify(RfcSecret, previous, now, lastUsedStep: step - 1)); // replay
        Assert.Equal(step, Totp.Verify(RfcSecret, Totp.Code(RfcSecret, step)[..3] + " " + Totp.Code(RfcSecret, step)[3..], now, step - 1));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("12345")]
    [InlineData("1234567")]
    [InlineData("12a456")]
    public void Malformed_codes_are_refused(string? code) => Assert.Null(Totp.Verify(RfcSecret, code, DateTimeOffset.UnixEpoch.AddYears(50), null));

    [Fact]
    public void The_key_uri_carries_the_secret_in_RFC_4648_base32()
    {
        // RFC 4648 section 10: BASE32("foobar") = "MZXW6YTBOI======" (we leave out the padding).
        Assert.Equal("MZXW6YTBOI", Totp.Base32("foobar"u8.ToArray()));
        var uri = Totp.KeyUri("Mail admin console", "ann@example.com", RfcSecret);
        Assert.StartsWith("otpauth://totp/Mail%20admin%20console:ann%40example.com?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=", uri, StringComparison.Ordinal);
    }
}
