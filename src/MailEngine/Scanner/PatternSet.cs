using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
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

/// <summary>
/// Text to scan, as a string (the managed tier) and as UTF-8 (Hyperscan, compiled with HS_FLAG_UTF8
/// which requires valid UTF-8: encoding the string ourselves guarantees it).
/// </summary>
public sealed class ScanBuffer(string text)
{
    private byte[]? _utf8;

    public string Text { get; } = text;
    public byte[] Utf8 => _utf8 ??= Encoding.UTF8.GetBytes(Text);
}

/// <summary>A compiled set of patterns that reports which ids match a buffer.</summary>
public interface IPatternMatcher : IDisposable
{
    string Tier { get; }
    void Match(ScanBuffer buffer, ISet<uint> matched);
}

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

/// <summary>
/// A Hyperscan block-mode database for many patterns at once, compiled either for this CPU
/// (hs_populate_platform: the native tier) or for no CPU features at all (the SSSE3 baseline).
/// Patterns are UTF-8 without Unicode properties (HS_FLAG_UCP refuses \b), so \w, \d and \s are
/// ASCII, as <see cref="ManagedPatternMatcher.Translate"/> makes them in .NET; SINGLEMATCH reports each id once. Patterns marked as prefilters are
/// compiled with HS_FLAG_PREFILTER (a superset of their matches) and must be confirmed by the caller.
/// </summary>
public sealed unsafe class HyperscanPatternMatcher : IPatternMatcher
{
    private nint _database;
    private readonly ThreadLocal<nint> _scratch;
    private readonly List<nint> _scratches = [];

    public HyperscanPatternMatcher(IReadOnlyList<ScanPattern> patterns, bool baseline, IReadOnlySet<uint>? prefilter = null)
        : this(CompileOrThrow(patterns, baseline, prefilter), baseline)
    {
    }

    /// <summary>Takes ownership of a database from <see cref="TryCompile"/>.</summary>
    public HyperscanPatternMatcher((nint Database, TimeSpan CompileTime) compiled, bool baseline)
    {
        Tier = baseline ? "ssse3" : "native";
        _database = compiled.Database;
        CompileTime = compiled.CompileTime;
        _scratch = new ThreadLocal<nint>(() =>
        {
            nint scratch = 0;
            if (HyperscanNative.AllocScratch(_database, &scratch) != HyperscanNative.HS_SUCCESS) throw new InvalidOperationException("hs_alloc_scratch failed");
            lock (_scratches) _scratches.Add(scratch);
            return scratch;
        });
        Info = ReadInfo();
        nuint size;
        Size = HyperscanNative.DatabaseSize(_database, &size) == HyperscanNative.HS_SUCCESS ? (long)size : 0;
    }

    private static (nint, TimeSpan) CompileOrThrow(IReadOnlyList<ScanPattern> patterns, bool baseline, IReadOnlySet<uint>? prefilter)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var (database, error) = TryCompile(patterns, baseline, prefilter);
        if (database == 0) throw new ArgumentException($"Hyperscan cannot compile the patterns: {error!.Value.Message} (pattern {(error.Value.Index >= 0 ? patterns[error.Value.Index].Id : 0)})");
        return (database, System.Diagnostics.Stopwatch.GetElapsedTime(started));
    }

    public string Tier { get; }

    /// <summary>hs_database_info: the version and the CPU features the database was compiled for.</summary>
    public string Info { get; }

    /// <summary>hs_database_size in bytes.</summary>
    public long Size { get; }

    public TimeSpan CompileTime { get; }

    /// <summary>
    /// Compiles, or returns the index of the first pattern Hyperscan refuses and why (lookaround,
    /// back-references and the like), so the caller can place that rule elsewhere and try again.
    /// </summary>
    public static (nint Database, (int Index, string Message)? Error) TryCompile(IReadOnlyList<ScanPattern> patterns, bool baseline, IReadOnlySet<uint>? prefilter)
    {
        var platform = new HyperscanNative.PlatformInfo();
        if (!baseline && HyperscanNative.PopulatePlatform(&platform) != HyperscanNative.HS_SUCCESS) throw new InvalidOperationException("hs_populate_platform failed");
        var expressions = patterns.Select(p => Marshal.StringToCoTaskMemUTF8(p.Expression)).ToArray();
        try
        {
            fixed (nint* expressionPointers = expressions)
            fixed (uint* flags = patterns.Select(p => Flags(p, prefilter?.Contains(p.Id) == true)).ToArray())
            fixed (uint* ids = patterns.Select(p => p.Id).ToArray())
            {
                nint database;
                HyperscanNative.CompileError* error;
                var status = HyperscanNative.CompileMulti((byte**)expressionPointers, flags, ids, (uint)patterns.Count, HyperscanNative.HS_MODE_BLOCK, &platform, &database, &error);
                if (status == HyperscanNative.HS_SUCCESS) return (database, null);
                var message = error is null ? $"status {status}" : Marshal.PtrToStringUTF8((nint)error->Message) ?? $"status {status}";
                var index = error is null ? -1 : error->Expression;
                if (error is not null) HyperscanNative.FreeCompileError(error);
                return (0, (index, message));
            }
        }
        finally
        {
            foreach (var e in expressions) Marshal.FreeCoTaskMem(e);
        }
    }

    /// <summary>Whether Hyperscan accepts the expression (as a prefilter if asked), from hs_expression_info, without compiling it.</summary>
    public static bool Accepts(ScanPattern pattern, bool prefilter)
    {
        void* info;
        HyperscanNative.CompileError* error;
        var status = HyperscanNative.ExpressionInfo(pattern.Expression, Flags(pattern, prefilter), &info, &error);
        if (status == HyperscanNative.HS_SUCCESS)
        {
            NativeMemory.Free(info);
            return true;
        }

        if (error is not null) HyperscanNative.FreeCompileError(error);
        return false;
    }

    /// <summary>Frees a database from <see cref="TryCompile"/> that is not kept.</summary>
    public static void Free(nint database) => HyperscanNative.FreeDatabase(database);

    private static uint Flags(ScanPattern p, bool prefilter) =>
        HyperscanNative.HS_FLAG_SINGLEMATCH | HyperscanNative.HS_FLAG_UTF8
        | (p.Caseless ? HyperscanNative.HS_FLAG_CASELESS : 0)
        | (p.Multiline ? HyperscanNative.HS_FLAG_MULTILINE : 0)
        | (p.DotAll ? HyperscanNative.HS_FLAG_DOTALL : 0)
        | (prefilter ? HyperscanNative.HS_FLAG_PREFILTER : 0);

    private string ReadInfo()
    {
        byte* info;
        if (HyperscanNative.DatabaseInfo(_database, &info) != HyperscanNative.HS_SUCCESS) return string.Empty;
        var text = Marshal.PtrToStringUTF8((nint)info) ?? string.Empty;
        NativeMemory.Free(info);
        return text;
    }

    public void Match(ScanBuffer buffer, ISet<uint> matched) => Match(buffer.Utf8, matched);

    /// <summary>hs_deserialize_database: a database saved by <see cref="Serialize"/>; 0 when the bytes are not one this library can load.</summary>
    public static nint Deserialize(ReadOnlySpan<byte> bytes)
    {
        nint database = 0;
        fixed (byte* pointer = bytes)
            return HyperscanNative.DeserializeDatabase(pointer, (nuint)bytes.Length, &database) == HyperscanNative.HS_SUCCESS ? database : 0;
    }

    /// <summary>The version and CPU features of this library and machine, for naming a saved database.</summary>
    public static string PlatformKey(bool baseline)
    {
        var platform = new HyperscanNative.PlatformInfo();
        if (!baseline) HyperscanNative.PopulatePlatform(&platform);
        return $"{Marshal.PtrToStringUTF8((nint)HyperscanNative.Version())}|{platform.Tune}|{platform.CpuFeatures}";
    }

    /// <summary>hs_serialize_database: the compiled database for another process (the benchmark's C loop, the start-up cache).</summary>
    public byte[] Serialize() => Serialize(_database);

    public static byte[] Serialize(nint database)
    {
        byte* bytes;
        nuint length;
        if (HyperscanNative.SerializeDatabase(database, &bytes, &length) != HyperscanNative.HS_SUCCESS) throw new InvalidOperationException("hs_serialize_database failed");
        var copy = new ReadOnlySpan<byte>(bytes, (int)length).ToArray();
        NativeMemory.Free(bytes);
        return copy;
    }

    public void Match(ReadOnlySpan<byte> data, ISet<uint> matched)
    {
        if (data.IsEmpty) return; // hs_scan refuses a null pointer, and no rule may match empty text
        var handle = GCHandle.Alloc(matched);
        try
        {
            fixed (byte* bytes = data)
            {
                var status = HyperscanNative.Scan(_database, bytes, (uint)data.Length, 0, _scratch.Value, &OnMatch, (void*)GCHandle.ToIntPtr(handle));
                if (status != HyperscanNative.HS_SUCCESS) throw new InvalidOperationException($"hs_scan failed: {status}");
            }
        }
        finally
        {
            handle.Free();
        }
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static int OnMatch(uint id, ulong from, ulong to, uint flags, void* context)
    {
        ((ISet<uint>)GCHandle.FromIntPtr((nint)context).Target!).Add(id);
        return 0; // go on
    }

    public void Dispose()
    {
        lock (_scratches)
        {
            foreach (var scratch in _scratches) HyperscanNative.FreeScratch(scratch);
            _scratches.Clear();
        }

        _scratch.Dispose();
        if (_database != 0) HyperscanNative.FreeDatabase(_database);
        _database = 0;
    }
}
