using System.Security.Cryptography;
using System.Text;

namespace AdminConsole.Core.Dns;

/// <summary>How strictly senders must use TLS to reach a domain (RFC 8461 §5): what its MTA-STS policy says.</summary>
public enum MtaStsMode
{
    /// <summary>Senders report failures (TLS-RPT) but deliver anyway: the start, while certificates settle.</summary>
    Testing,

    /// <summary>Senders refuse to deliver without valid TLS to a listed MX.</summary>
    Enforce,

    /// <summary>The domain withdraws its policy.</summary>
    None,
}

/// <summary>
/// The MTA-STS policy file (RFC 8461 §3.2) the console serves at
/// https://mta-sts.&lt;domain&gt;/.well-known/mta-sts.txt, and the id its _mta-sts record carries: a hash
/// of the file, so the id changes exactly when the policy does (§3.1).
/// </summary>
public static class MtaStsPolicy
{
    /// <summary>One day: long enough to protect, short enough to correct a mistake (RFC 8461 §3.2 allows up to a year).</summary>
    public const int MaxAgeSeconds = 86400;

    public static string Text(MtaStsMode mode, string mailHost) =>
        $"version: STSv1\r\nmode: {mode.ToString().ToLowerInvariant()}\r\nmx: {mailHost}\r\nmax_age: {MaxAgeSeconds}\r\n";

    /// <summary>1 to 32 alphanumerics (RFC 8461 §3.1): the first 20 hex digits of the file's SHA-256.</summary>
    public static string Id(MtaStsMode mode, string mailHost) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Text(mode, mailHost))))[..20];
}
