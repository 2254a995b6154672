using System.Globalization;
using System.Text;

namespace MailEngine.Sieve;

/// <summary>
/// Comparators (RFC 4790: i;octet, i;ascii-casemap, i;ascii-numeric) and match types (RFC 5228
/// 2.7.1 :is :contains :matches, RFC 5231 :count and :value), with the wildcard captures
/// :matches leaves for variables (RFC 5229 3.2).
/// </summary>
internal sealed class SieveMatcher
{
    private readonly string _comparator;
    private readonly string _matchType;
    private readonly string? _relation;

    // Every comparison spends from the run's one budget: "*a*a*a*…b" against a long value would
    // otherwise take exponential time, and many keys times many values multiply any per-pair bound.
    private readonly SieveRunBudget _budget;
    private readonly int _maxWildcards;

    public SieveMatcher(SieveCall call, SieveRunBudget budget, int maxWildcards = 64)
    {
        _budget = budget;
        _maxWildcards = maxWildcards;
        _comparator = (call.String("comparator") ?? "i;ascii-casemap").ToLowerInvariant();
        if (call.Has("count")) (_matchType, _relation) = ("count", call.String("count")!.ToLowerInvariant());
        else if (call.Has("value")) (_matchType, _relation) = ("value", call.String("value")!.ToLowerInvariant());
        else _matchType = call.Has("contains") ? "contains" : call.Has("matches") ? "matches" : "is";
    }

    public bool IsCount => _matchType == "count";

    /// <summary>Whether any value matches any key; :count compares the number of values instead.</summary>
    public bool Matches(IReadOnlyList<string> values, IReadOnlyList<string> keys, List<string>? captures)
    {
        if (IsCount)
        {
            var count = values.Count.ToString(CultureInfo.InvariantCulture);
            return keys.Any(k => Relational(Compare(count, k, numeric: true)));
        }

        foreach (var value in values)
        foreach (var key in keys)
        {
            // A comparison reads the value (and the key): one step per 64 characters, at least one.
            _budget.Spend(1 + ((value.Length + key.Length) >> 6));
            if (MatchOne(value, key, captures)) return true;
        }

        return false;
    }

    private bool MatchOne(string value, string key, List<string>? captures)
    {
        switch (_matchType)
        {
            case "value":
                return Relational(Compare(value, key, _comparator == "i;ascii-numeric"));
            case "contains":
                if (_comparator == "i;ascii-numeric") return false; // RFC 4790 9.1: the numeric comparator has no substring operation
                return value.Contains(key, _comparator == "i;octet" ? StringComparison.Ordinal : StringComparison.OrdinalIgnoreCase);
            case "matches":
                if (_comparator == "i;ascii-numeric") return false;
                var found = new List<(int Start, int Length)>();
                // Each "*" is a level of backtracking; a key with more than the limit is a runtime error.
                if (key.Count(c => c == '*') > _maxWildcards) throw new SieveBudgetExceededException($"a :matches key has more than {_maxWildcards} wildcards");
                if (!Wildcard(value, 0, key, 0, found)) return false;
                if (captures is not null)
                {
                    captures.Clear();
                    captures.Add(value);
                    foreach (var (start, length) in found) captures.Add(value.Substring(start, length));
                }

                return true;
            default:
                return Compare(value, key, _comparator == "i;ascii-numeric") == 0;
        }
    }

    private bool Relational(int comparison) => _relation switch
    {
        "gt" => comparison > 0,
        "ge" => comparison >= 0,
        "lt" => comparison < 0,
        "le" => comparison <= 0,
        "eq" => comparison == 0,
        _ => comparison != 0,
    };

    /// <summary>
    /// Compares by the comparator. i;ascii-numeric reads the leading digits; a string without them is
    /// positive infinity (RFC 4790 9.1.1), equal to another such string.
    /// </summary>
    private int Compare(string a, string b, bool numeric)
    {
        if (numeric || _comparator == "i;ascii-numeric")
        {
            var x = LeadingNumber(a);
            var y = LeadingNumber(b);
            if (x is null && y is null) return 0;
            if (x is null) return 1;
            if (y is null) return -1;
            return x.Value.CompareTo(y.Value);
        }

        return _comparator == "i;octet" ? string.CompareOrdinal(a, b) : string.Compare(AsciiUpper(a), AsciiUpper(b), StringComparison.Ordinal);
    }

    private static System.Numerics.BigInteger? LeadingNumber(string text)
    {
        var end = 0;
        while (end < text.Length && char.IsAsciiDigit(text[end])) end++;
        return end == 0 ? null : System.Numerics.BigInteger.Parse(text.AsSpan(0, end), CultureInfo.InvariantCulture);
    }

    private static string AsciiUpper(string text)
    {
        var builder = new StringBuilder(text.Length);
        foreach (var c in text) builder.Append(c is >= 'a' and <= 'z' ? (char)(c - 32) : c);
        return builder.ToString();
    }

    private bool Equal(char a, char b) =>
        _comparator == "i;octet" ? a == b : (a is >= 'a' and <= 'z' ? (char)(a - 32) : a) == (b is >= 'a' and <= 'z' ? (char)(b - 32) : b);

    /// <summary>"*" any run, "?" one character, "\" quotes the next (RFC 5228 2.7.1); records what each wildcard matched.</summary>
    private bool Wildcard(string value, int v, string pattern, int p, List<(int Start, int Length)> captures)
    {
        _budget.Spend();
        while (p < pattern.Length)
        {
            var c = pattern[p];
            if (c == '*')
            {
                // Shortest match first (RFC 5229 3.2: "*" takes as few characters as it can, leftmost first).
                for (var take = 0; v + take <= value.Length; take++)
                {
                    var mark = captures.Count;
                    captures.Add((v, take)); // positions only: a string is made for the captures of a match
                    if (Wildcard(value, v + take, pattern, p + 1, captures)) return true;
                    captures.RemoveRange(mark, captures.Count - mark);
                }

                return false;
            }

            if (v >= value.Length) return false;
            if (c == '?')
            {
                captures.Add((v, 1));
                v++;
                p++;
                continue;
            }

            if (c == '\\' && p + 1 < pattern.Length) c = pattern[++p];
            if (!Equal(value[v], c)) return false;
            v++;
            p++;
        }

        return v == value.Length;
    }
}
