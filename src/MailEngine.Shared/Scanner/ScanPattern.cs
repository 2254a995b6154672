using System.Text.RegularExpressions;

namespace MailEngine.Scanner;

/// <summary>
/// One pattern of a rule: its id, a PCRE-style expression, and its flags (i: case does not matter,
/// m: ^ and $ at every line, s: the dot matches a newline), as in SpamAssassin's /pattern/flags.
/// </summary>
public sealed record ScanPattern(uint Id, string Expression, bool Caseless = true, bool Multiline = false, bool DotAll = false)
{
    /// <summary>The .NET options that mean what Hyperscan's UTF8|UCP flags and these flags mean.</summary>
    public RegexOptions Options => RegexOptions.CultureInvariant
        | (Caseless ? RegexOptions.IgnoreCase : 0) | (Multiline ? RegexOptions.Multiline : 0) | (DotAll ? RegexOptions.Singleline : 0);
}
