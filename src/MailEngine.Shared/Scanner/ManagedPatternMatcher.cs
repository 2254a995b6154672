using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;

namespace MailEngine.Scanner;

/// <summary>
/// The managed tier: .NET regular expressions, NonBacktracking (linear time) where the pattern
/// allows it and backtracking with a timeout where it needs lookaround or back-references. A
/// <see cref="SearchValues{T}"/> literal prefilter runs first: a pattern with a literal it cannot match
/// without is only tried when one pass over the text found that literal.
/// </summary>
public sealed class ManagedPatternMatcher : IPatternMatcher
{
    private static readonly TimeSpan BacktrackingTimeout = TimeSpan.FromMilliseconds(250);
    private readonly (uint Id, Regex Regex, int[] Literals)[] _patterns;
    private readonly string[] _literals;
    private readonly SearchValues<string>? _search;
    private readonly Dictionary<char, int[]> _literalsByFirst;

    public ManagedPatternMatcher(IReadOnlyList<ScanPattern> patterns)
    {
        var literals = new List<string>();
        var index = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        _patterns = patterns.Select(p =>
        {
            var ids = (RequiredLiterals(p.Expression) ?? []).Select(text =>
            {
                if (!index.TryGetValue(text, out var literal))
                {
                    literal = literals.Count;
                    index[text] = literal;
                    literals.Add(text);
                }

                return literal;
            }).ToArray();
            return (p.Id, Compile(p.Expression, p.Options), ids);
        }).ToArray();
        _literals = [.. literals];
        _search = literals.Count > 0 ? SearchValues.Create(_literals, StringComparison.OrdinalIgnoreCase) : null;
        _literalsByFirst = Enumerable.Range(0, _literals.Length)
            .GroupBy(i => char.ToLowerInvariant(_literals[i][0]))
            .ToDictionary(g => g.Key, g => g.ToArray());
    }

    public string Tier => "managed";

    /// <summary>Compiles for the managed tier: NonBacktracking when the construct is supported, else backtracking with a timeout.</summary>
    public static Regex Compile(string expression, RegexOptions options)
    {
        var translated = Translate(expression);
        try
        {
            return new Regex(translated, options | RegexOptions.NonBacktracking);
        }
        catch (NotSupportedException)
        {
            return new Regex(translated, options, BacktrackingTimeout);
        }
    }

    /// <summary>
    /// Makes \w, \d and \s (and their negations outside classes) mean their ASCII sets, as they do in
    /// Hyperscan without HS_FLAG_UCP, so both tiers match the same text. (\b stays .NET's Unicode word
    /// boundary: it differs only next to a non-ASCII letter or digit.)
    /// </summary>
    public static string Translate(string expression)
    {
        var result = new StringBuilder(expression.Length + 16);
        var inClass = false;
        for (var i = 0; i < expression.Length; i++)
        {
            var c = expression[i];
            if (c == '\\' && i + 1 < expression.Length)
            {
                var next = expression[++i];
                var replacement = (next, inClass) switch
                {
                    ('w', false) => "[a-zA-Z0-9_]",
                    ('W', false) => "[^a-zA-Z0-9_]",
                    ('d', false) => "[0-9]",
                    ('D', false) => "[^0-9]",
                    ('s', false) => "[\\t\\n\\v\\f\\r ]",
                    ('S', false) => "[^\\t\\n\\v\\f\\r ]",
                    ('w', true) => "a-zA-Z0-9_",
                    ('d', true) => "0-9",
                    ('s', true) => "\\t\\n\\v\\f\\r ",
                    _ => null,
                };
                if (replacement is null) result.Append(c).Append(next);
                else result.Append(replacement);
                continue;
            }

            if (c == '[' && !inClass)
            {
                inClass = true;
                result.Append(c);
                if (i + 1 < expression.Length && expression[i + 1] == '^') result.Append(expression[++i]);
                if (i + 1 < expression.Length && expression[i + 1] == ']') result.Append(expression[++i]);
                continue;
            }

            if (c == ']' && inClass) inClass = false;
            result.Append(c);
        }

        return result.ToString();
    }

    public void Match(ScanBuffer buffer, ISet<uint> matched)
    {
        var text = buffer.Text;
        var present = _literals.Length == 0 ? [] : new bool[_literals.Length];
        if (_search is not null)
        {
            var span = text.AsSpan();
            var offset = 0;
            while (offset < span.Length)
            {
                var at = span[offset..].IndexOfAny(_search);
                if (at < 0) break;
                offset += at;
                if (_literalsByFirst.TryGetValue(char.ToLowerInvariant(span[offset]), out var candidates))
                    foreach (var c in candidates)
                        if (!present[c] && span[offset..].StartsWith(_literals[c], StringComparison.OrdinalIgnoreCase)) present[c] = true;
                offset++;
            }
        }

        foreach (var (id, regex, literals) in _patterns)
        {
            if (literals.Length > 0 && !AnyPresent(literals, present)) continue;
            if (matched.Contains(id)) continue;
            if (IsMatch(regex, text)) matched.Add(id);
        }
    }

    private static bool AnyPresent(int[] literals, bool[] present)
    {
        foreach (var l in literals)
            if (present[l]) return true;
        return false;
    }

    /// <summary>
    /// Literals of which every match contains at least one (any-of), or null when none can be said:
    /// the longest required top-level run; else, for a top-level alternation, one literal set per
    /// branch; else the set of the first group that must match (not optional, not a lookaround)
    /// whose alternatives each have one. At most 16, so the prefilter stays selective.
    /// </summary>
    public static IReadOnlyList<string>? RequiredLiterals(string expression) => RequiredLiterals(expression, 0);

    private static List<string>? RequiredLiterals(string expression, int depth)
    {
        if (depth > 4) return null;
        var branches = SplitTopLevel(expression);
        if (branches.Count > 1)
        {
            var union = new List<string>();
            foreach (var branch in branches)
            {
                if (RequiredLiterals(branch, depth + 1) is not { } set) return null;
                union.AddRange(set);
            }

            union = union.Distinct(StringComparer.OrdinalIgnoreCase).ToList();
            return union.Count <= 16 ? union : null;
        }

        if (RequiredLiteral(expression) is { } single) return [single];
        foreach (var inner in MandatoryGroups(expression))
            if (RequiredLiterals(inner, depth + 1) is { } set) return set;
        return null;
    }

    /// <summary>The branches of a top-level alternation (one when there is none).</summary>
    private static List<string> SplitTopLevel(string expression)
    {
        var branches = new List<string>();
        var depth = 0;
        var start = 0;
        for (var i = 0; i < expression.Length; i++)
        {
            var c = expression[i];
            if (c == '\\') { i++; continue; }
            if (c == '[') { i = SkipClass(expression, i); continue; }
            if (c == '(') depth++;
            else if (c == ')') depth--;
            else if (c == '|' && depth == 0)
            {
                branches.Add(expression[start..i]);
                start = i + 1;
            }
        }

        branches.Add(expression[start..]);
        return branches;
    }

    /// <summary>The contents of the top-level groups a match must go through (not followed by ?, * or {0…}; no lookarounds).</summary>
    private static IEnumerable<string> MandatoryGroups(string expression)
    {
        for (var i = 0; i < expression.Length; i++)
        {
            var c = expression[i];
            if (c == '\\') { i++; continue; }
            if (c == '[') { i = SkipClass(expression, i); continue; }
            if (c != '(') continue;
            var close = i + 1;
            for (var depth = 1; close < expression.Length; close++)
            {
                var d = expression[close];
                if (d == '\\') { close++; continue; }
                if (d == '[') { close = SkipClass(expression, close); continue; }
                if (d == '(') depth++;
                else if (d == ')' && --depth == 0) break;
            }

            if (close >= expression.Length) yield break;
            var content = expression[(i + 1)..close];
            var next = close + 1 < expression.Length ? expression[close + 1] : '\0';
            var optional = next is '?' or '*' || (next == '{' && close + 2 < expression.Length && expression[close + 2] == '0');
            i = close;
            if (optional) continue;
            if (content.StartsWith("?=", StringComparison.Ordinal) || content.StartsWith("?!", StringComparison.Ordinal) || content.StartsWith("?<=", StringComparison.Ordinal) || content.StartsWith("?<!", StringComparison.Ordinal)) continue;
            if (content.StartsWith("?:", StringComparison.Ordinal)) content = content[2..];
            else if (content.StartsWith('?'))
            {
                var colon = content.IndexOf(':');
                var named = content.StartsWith("?<", StringComparison.Ordinal) || content.StartsWith("?'", StringComparison.Ordinal);
                var end = named ? content.IndexOfAny(['>', '\''], 2) : colon;
                if (end < 0) continue;
                content = content[(end + 1)..];
            }

            yield return content;
        }
    }

    /// <summary>A pattern that takes too long (only backtracking ones can) counts as not matching.</summary>
    public static bool IsMatch(Regex regex, string text)
    {
        try
        {
            return regex.IsMatch(text);
        }
        catch (RegexMatchTimeoutException)
        {
            return false;
        }
    }

    /// <summary>
    /// The longest run of ASCII literal characters (three or more) every match must contain, or null:
    /// only top-level text counts (nothing inside groups or classes), a top-level alternation means
    /// none, and a character followed by ?, * or {…} is optional and ends the run.
    /// </summary>
    public static string? RequiredLiteral(string expression)
    {
        string? best = null;
        var run = new StringBuilder();
        var depth = 0;
        for (var i = 0; i < expression.Length; i++)
        {
            var c = expression[i];
            if (depth == 0 && c == '|') return null;
            if (c == '[')
            {
                End();
                i = SkipClass(expression, i);
                SkipQuantifier(ref i);
                continue;
            }

            if (c == '(') { depth++; End(); continue; }
            if (c == ')') { depth--; End(); SkipQuantifier(ref i); continue; }
            if (depth > 0)
            {
                if (c == '\\') i++;
                continue;
            }

            char? literal = null;
            if (c == '\\' && i + 1 < expression.Length)
            {
                var next = expression[++i];
                if (!char.IsAsciiLetterOrDigit(next)) literal = next; // \. \$ \/ …
                else if (next is 'x' or 'u' or 'p' or 'P' or 'c' or 'k') { End(); continue; }
            }
            else if (c is not ('.' or '^' or '$' or '*' or '+' or '?' or '{'))
            {
                literal = c;
            }

            if (literal is not { } l || l > 127 || char.IsControl(l))
            {
                End();
                if (c == '{' && expression.IndexOf('}', i) is var close and > 0) i = close; // a quantifier's bounds are not text
                else SkipQuantifier(ref i);
                continue;
            }

            var quantifier = i + 1 < expression.Length ? expression[i + 1] : '\0';
            if (quantifier is '?' or '*' or '{')
            {
                End();
                SkipQuantifier(ref i);
                continue;
            }

            run.Append(l);
            if (quantifier == '+')
            {
                End();
                i++;
                if (i + 1 < expression.Length && expression[i + 1] is '?' or '+') i++;
            }
        }

        End();
        return best;

        void End()
        {
            if (run.Length >= 3 && (best is null || run.Length > best.Length)) best = run.ToString();
            run.Clear();
        }

        void SkipQuantifier(ref int i)
        {
            if (i + 1 >= expression.Length) return;
            var q = expression[i + 1];
            if (q is '?' or '*' or '+') i++;
            else if (q == '{' && expression.IndexOf('}', i + 1) is var close and > 0) i = close;
            else return;
            if (i + 1 < expression.Length && expression[i + 1] is '?' or '+') i++; // lazy or possessive
        }
    }

    private static int SkipClass(string expression, int start)
    {
        var i = start + 1;
        if (i < expression.Length && expression[i] == '^') i++;
        if (i < expression.Length && expression[i] == ']') i++;
        for (; i < expression.Length; i++)
        {
            if (expression[i] == '\\') i++;
            else if (expression[i] == ']') return i;
        }

        return expression.Length - 1;
    }

    public void Dispose()
    {
    }
}
