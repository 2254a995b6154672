using System.Security.Cryptography;
using System.Text;

namespace MailEngine.Srs;

/// <summary>What an SRS address of ours stands for, or why it is not one we made.</summary>
/// <param name="Address">Where mail to it goes back to: the original sender (SRS0), or the first forwarder's SRS0 address (SRS1).</param>
/// <param name="Error">Why it is refused (forged hash, expired, malformed); null when valid.</param>
public sealed record SrsReturn(string? Address, string? Error)
{
    public bool Valid => Address is not null;
}

/// <summary>
/// The Sender Rewriting Scheme (Shevek's SRS, as libsrs2 and postsrsd implement it): when we forward
/// mail from a sender outside our domains to an address outside them, the envelope sender becomes an
/// address of ours, so the receiver's SPF check (RFC 7208) sees our domain, and a bounce comes back to
/// us and can be routed to the original sender.
/// <list type="bullet">
/// <item><c>SRS0=HHHHHH=TT=domain=local@ours</c> for a sender we are the first to forward: TT is the day
/// (base32, modulo 1024), HHHHHH an HMAC-SHA256 of TT, domain and local part under our secret.</item>
/// <item><c>SRS1=HHHHHH=hop==HHH=TT=domain=local@ours</c> when the sender is already another forwarder's
/// SRS0 address: only the first hop and its opaque part are kept, so the address does not grow per hop;
/// a bounce goes back to the first hop, which checks its own hash and age.</item>
/// </list>
/// Hashes are base32 and compared without case: some MTAs fold local parts to lower case. An address
/// older than <see cref="MaxAge"/> or with a hash none of the secrets made is refused, so the scheme
/// is no open relay and forged bounces (backscatter) go nowhere. The first secret signs; the others
/// (rotated out less than <see cref="MaxAge"/> ago) still verify. The day counter wraps after 1024 days,
/// as libsrs2's does; the console rotates the secret monthly, so an address that old no longer verifies.
/// </summary>
public sealed class SenderRewriting
{
    /// <summary>How long an SRS address is honoured: libsrs2's and postsrsd's default of 21 days.</summary>
    public static readonly TimeSpan MaxAge = TimeSpan.FromDays(21);

    private const string Base32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    private const int HashLength = 6; // 30 bits of HMAC, case-insensitive
    private const int TimestampModulo = 1024; // two base32 characters of days

    private readonly IReadOnlyList<byte[]> _secrets;
    private readonly TimeProvider _clock;

    public SenderRewriting(IReadOnlyList<byte[]> secrets, TimeProvider clock)
    {
        if (secrets.Count == 0 || secrets.Any(s => s.Length < 16)) throw new ArgumentException("SRS needs at least one secret of 16 bytes or more.", nameof(secrets));
        _secrets = secrets;
        _clock = clock;
    }

    /// <summary>Whether a local part has the form of an SRS address (SRS0 or SRS1, with =, + or - after it, any case).</summary>
    public static bool IsSrs(string localPart) =>
        localPart.Length > 5 && localPart.StartsWith("SRS", StringComparison.OrdinalIgnoreCase) && localPart[3] is '0' or '1' && localPart[4] is '=' or '+' or '-';

    /// <summary>The envelope sender to use when forwarding mail from <paramref name="sender"/> as <paramref name="ourDomain"/>.</summary>
    public string Forward(string sender, string ourDomain)
    {
        var at = sender.LastIndexOf('@');
        if (at <= 0 || at == sender.Length - 1) throw new ArgumentException($"'{sender}' is not an address to rewrite.", nameof(sender));
        var (local, domain) = (sender[..at], sender[(at + 1)..]);

        if (IsSrs(local))
        {
            if (local[3] == '0')
            {
                // Another forwarder's SRS0: its opaque part (with its separator) is kept, and it is named as the hop.
                var opaque = local[4..];
                return $"SRS1={Hash(_secrets[0], domain, opaque)}={domain}={opaque}@{ourDomain}";
            }

            // Already SRS1: the first hop and its part stay, re-hashed under our secret.
            if (TryParseSrs1(local, out _, out var hop, out var firstOpaque))
                return $"SRS1={Hash(_secrets[0], hop, firstOpaque)}={hop}={firstOpaque}@{ourDomain}";
        }

        var stamp = Timestamp(_clock.GetUtcNow());
        return $"SRS0={Hash(_secrets[0], stamp, domain, local)}={stamp}={domain}={local}@{ourDomain}";
    }

    /// <summary>Where mail to an SRS local part of ours goes back to, if we made it and it has not expired.</summary>
    public SrsReturn Reverse(string localPart)
    {
        if (!IsSrs(localPart)) return new SrsReturn(null, "not an SRS address");
        var body = localPart[5..];
        if (localPart[3] == '0')
        {
            // HHH=TT=domain=local (the local part may itself contain '=').
            var parts = body.Split('=', 4);
            if (parts.Length != 4 || parts[0].Length == 0 || parts[1].Length != 2 || parts[2].Length == 0 || parts[3].Length == 0) return new SrsReturn(null, "malformed SRS0 address");
            var (hash, stamp, domain, local) = (parts[0], parts[1], parts[2], parts[3]);
            if (!_secrets.Any(s => string.Equals(Hash(s, stamp, domain, local), hash, StringComparison.OrdinalIgnoreCase))) return new SrsReturn(null, "the SRS hash does not match (forged)");
            if (Age(stamp) is not { } age || age > MaxAge) return new SrsReturn(null, "the SRS address has expired");
            return new SrsReturn($"{local}@{domain}", null);
        }

        // SRS1=HHH=hop==opaque → SRS0=opaque@hop, which the first hop checks itself.
        if (!TryParseSrs1(localPart, out var hash1, out var hop, out var opaque)) return new SrsReturn(null, "malformed SRS1 address");
        if (!_secrets.Any(s => string.Equals(Hash(s, hop, opaque), hash1, StringComparison.OrdinalIgnoreCase))) return new SrsReturn(null, "the SRS hash does not match (forged)");
        return new SrsReturn($"SRS0{opaque}@{hop}", null);
    }

    /// <summary>SRS1=HHH=hop=&lt;opaque&gt;, the opaque part starting with the separator the first hop's SRS0 had.</summary>
    private static bool TryParseSrs1(string localPart, out string hash, out string hop, out string opaque)
    {
        (hash, hop, opaque) = ("", "", "");
        var body = localPart[5..];
        var first = body.IndexOf('=', StringComparison.Ordinal);
        if (first <= 0) return false;
        var after = body[(first + 1)..];
        var hopEnd = after.IndexOf('=', StringComparison.Ordinal);
        if (hopEnd <= 0 || hopEnd + 2 >= after.Length) return false;
        (hash, hop, opaque) = (body[..first], after[..hopEnd], after[(hopEnd + 1)..]);
        return opaque[0] is '=' or '+' or '-';
    }

    /// <summary>Days since the epoch, modulo 1024, as two base32 characters (10 bits).</summary>
    public static string Timestamp(DateTimeOffset at)
    {
        var days = (int)(at.ToUnixTimeSeconds() / 86_400 % TimestampModulo);
        return new string([Base32[days >> 5], Base32[days & 31]]);
    }

    /// <summary>How old a timestamp is, taking it as the most recent day with that value; null when it is not one.</summary>
    private TimeSpan? Age(string stamp)
    {
        var high = Base32.IndexOf(char.ToUpperInvariant(stamp[0]));
        var low = Base32.IndexOf(char.ToUpperInvariant(stamp[1]));
        if (high < 0 || low < 0) return null;
        var today = (int)(_clock.GetUtcNow().ToUnixTimeSeconds() / 86_400);
        var days = ((today % TimestampModulo) - ((high << 5) | low) + TimestampModulo) % TimestampModulo;
        return TimeSpan.FromDays(days);
    }

    private static string Hash(byte[] secret, params string[] parts)
    {
        // Lower-cased before hashing: the address may come back case-folded by a relay on the way.
        var data = Encoding.UTF8.GetBytes(string.Join('\0', parts).ToLowerInvariant());
        var mac = HMACSHA256.HashData(secret, data);
        var text = new StringBuilder(HashLength);
        for (var i = 0; i < HashLength; i++)
        {
            // 5 bits per character from the start of the MAC.
            var bit = i * 5;
            var value = ((mac[bit / 8] << 8 | mac[bit / 8 + 1]) >> (11 - bit % 8)) & 31;
            text.Append(Base32[value]);
        }

        return text.ToString();
    }
}
