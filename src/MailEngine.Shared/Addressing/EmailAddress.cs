using System.Globalization;
using System.Text;

namespace MailEngine.Addressing;

/// <summary>
/// A normalized mail address: the form in which addresses are stored, compared and made unique.
/// The domain is lower-cased and converted from IDN to its A-label (punycode) form (RFC 5890),
/// so "Bücher.Example" and "xn--bcher-kva.example" are the same domain. The local part is
/// lower-cased too: RFC 5321 2.4 lets a server treat local parts case-sensitively, but no
/// administrator wants "Alice@" and "alice@" to be two mailboxes, and Dovecot/Postfix setups
/// lower-case them in practice. Unicode local parts (RFC 6531) are kept in NFC.
/// </summary>
public readonly record struct EmailAddress
{
    /// <summary>RFC 5321 4.5.3.1.1: a local part is at most 64 octets.</summary>
    public const int MaxLocalPartOctets = 64;

    /// <summary>RFC 5321 4.5.3.1.2: a domain is at most 255 octets; 253 in its dotted text form.</summary>
    public const int MaxDomainOctets = 253;

    /// <summary>RFC 5321 4.5.3.1.3: a path is at most 256 octets including the angle brackets.</summary>
    public const int MaxAddressOctets = 254;

    private static readonly IdnMapping Idn = new() { AllowUnassigned = false, UseStd3AsciiRules = true };

    public string LocalPart { get; }
    public string Domain { get; }

    private EmailAddress(string localPart, string domain)
    {
        LocalPart = localPart;
        Domain = domain;
    }

    public override string ToString() => $"{LocalPart}@{Domain}";

    /// <summary>The part after the last '@' of an address already accepted (the whole text when there is none).</summary>
    public static string DomainOf(string address) => address[(address.LastIndexOf('@') + 1)..];

    public static EmailAddress Parse(string value) =>
        TryParse(value, out var address, out var error) ? address : throw new FormatException(error);

    public static bool TryParse(string? value, out EmailAddress address, out string error)
    {
        address = default;
        if (string.IsNullOrWhiteSpace(value))
        {
            error = "An address is required.";
            return false;
        }

        var trimmed = value.Trim();
        var at = trimmed.LastIndexOf('@');
        if (at <= 0 || at == trimmed.Length - 1)
        {
            error = "An address needs a local part, an '@' and a domain.";
            return false;
        }

        if (!TryNormalizeLocalPart(trimmed[..at], out var local, out error)) return false;
        if (!TryNormalizeDomain(trimmed[(at + 1)..], out var domain, out error)) return false;

        if (Encoding.UTF8.GetByteCount(local) + 1 + domain.Length > MaxAddressOctets)
        {
            error = $"An address is at most {MaxAddressOctets} characters long.";
            return false;
        }

        address = new EmailAddress(local, domain);
        error = string.Empty;
        return true;
    }

    public static EmailAddress Create(string localPart, string domain)
    {
        if (!TryNormalizeLocalPart(localPart, out var local, out var error)) throw new FormatException(error);
        if (!TryNormalizeDomain(domain, out var normalizedDomain, out error)) throw new FormatException(error);
        return new EmailAddress(local, normalizedDomain);
    }

    /// <summary>
    /// Accepts a dot-atom local part (RFC 5322 3.2.3) with UTF-8 allowed (RFC 6531 3.3).
    /// Quoted-string local parts are refused: they are legal but no provisioning system should
    /// create them, and they break many clients.
    /// </summary>
    public static bool TryNormalizeLocalPart(string? value, out string localPart, out string error)
    {
        localPart = string.Empty;
        if (string.IsNullOrEmpty(value))
        {
            error = "The local part (before the '@') is required.";
            return false;
        }

        var normalized = value.Normalize(NormalizationForm.FormC).ToLowerInvariant();
        if (Encoding.UTF8.GetByteCount(normalized) > MaxLocalPartOctets)
        {
            error = $"The local part is at most {MaxLocalPartOctets} octets (RFC 5321 4.5.3.1.1).";
            return false;
        }

        if (normalized[0] == '.' || normalized[^1] == '.' || normalized.Contains("..", StringComparison.Ordinal))
        {
            error = "The local part cannot start or end with a dot or contain two dots in a row.";
            return false;
        }

        foreach (var rune in normalized.EnumerateRunes())
        {
            if (!IsAtext(rune))
            {
                error = $"The local part cannot contain '{rune}'.";
                return false;
            }
        }

        localPart = normalized;
        error = string.Empty;
        return true;
    }

    public static bool TryNormalizeDomain(string? value, out string domain, out string error)
    {
        domain = string.Empty;
        if (string.IsNullOrWhiteSpace(value))
        {
            error = "A domain is required.";
            return false;
        }

        var candidate = value.Trim().TrimEnd('.');
        string ascii;
        try
        {
            ascii = Idn.GetAscii(candidate).ToLowerInvariant();
        }
        catch (ArgumentException)
        {
            error = $"'{value}' is not a valid domain name.";
            return false;
        }

        if (ascii.Length > MaxDomainOctets)
        {
            error = $"A domain is at most {MaxDomainOctets} characters long.";
            return false;
        }

        var labels = ascii.Split('.');
        if (labels.Length < 2)
        {
            error = "A domain needs at least two labels, such as example.com.";
            return false;
        }

        foreach (var label in labels)
        {
            // RFC 1035 2.3.1 preferred name syntax (letters, digits, hyphen; 63 octets),
            // as UseStd3AsciiRules already enforced; checked here for the message.
            if (label.Length is 0 or > 63 || label[0] == '-' || label[^1] == '-')
            {
                error = $"'{value}' is not a valid domain name.";
                return false;
            }
        }

        if (labels[^1].All(char.IsAsciiDigit))
        {
            error = "The last label of a domain cannot be numeric.";
            return false;
        }

        domain = ascii;
        error = string.Empty;
        return true;
    }

    private static bool IsAtext(Rune rune)
    {
        if (rune.Value > 0x7F)
        {
            // RFC 6531 3.3: UTF8-non-ascii is atext; control and format characters are not sane.
            var category = Rune.GetUnicodeCategory(rune);
            return category is not (UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.SpaceSeparator
                or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator or UnicodeCategory.Surrogate
                or UnicodeCategory.PrivateUse or UnicodeCategory.OtherNotAssigned);
        }

        var c = (char)rune.Value;
        // RFC 5322 3.2.3 atext, plus '.' between atoms.
        return char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-/=?^_`{|}~.".Contains(c, StringComparison.Ordinal);
    }
}
