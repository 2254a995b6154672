using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;

namespace MailEngine.Scanner;

/// <summary>One pattern of a rule: its id, a PCRE-style expression, and whether case matters.</summary>
public sealed record ScanPattern(uint Id, string Expression, bool Caseless = true);

/// <summary>A compiled set of patterns that reports which ids match a buffer.</summary>
public interface IPatternMatcher : IDisposable
{
    string Tier { get; }
    IReadOnlySet<uint> Match(ReadOnlySpan<byte> data);
}

/// <summary>
/// The managed tier: .NET regular expressions with RegexOptions.NonBacktracking (linear time, no
/// catastrophic backtracking), one per pattern, over the data decoded as UTF-8.
/// </summary>
public sealed class ManagedPatternMatcher(IReadOnlyList<ScanPattern> patterns) : IPatternMatcher
{
    private readonly (uint Id, Regex Regex)[] _regexes = patterns
        .Select(p => (p.Id, new Regex(p.Expression, RegexOptions.NonBacktracking | RegexOptions.CultureInvariant | (p.Caseless ? RegexOptions.IgnoreCase : RegexOptions.None))))
        .ToArray();

    public string Tier => "managed";

    public IReadOnlySet<uint> Match(ReadOnlySpan<byte> data)
    {
        var text = Encoding.UTF8.GetString(data);
        var matched = new HashSet<uint>();
        foreach (var (id, regex) in _regexes)
            if (regex.IsMatch(text)) matched.Add(id);
        return matched;
    }

    public void Dispose()
    {
    }
}

/// <summary>
/// A Hyperscan block-mode database for all patterns at once, compiled either for this CPU
/// (hs_populate_platform: the native tier) or for no CPU features at all (the SSSE3 baseline).
/// </summary>
public sealed unsafe class HyperscanPatternMatcher : IPatternMatcher
{
    private nint _database;
    private readonly ThreadLocal<nint> _scratch;
    private readonly List<nint> _scratches = [];

    public HyperscanPatternMatcher(IReadOnlyList<ScanPattern> patterns, bool baseline)
    {
        Tier = baseline ? "ssse3" : "native";
        var platform = new HyperscanNative.PlatformInfo();
        if (!baseline && HyperscanNative.PopulatePlatform(&platform) != HyperscanNative.HS_SUCCESS) throw new InvalidOperationException("hs_populate_platform failed");
        var expressions = patterns.Select(p => Marshal.StringToCoTaskMemUTF8(p.Expression)).ToArray();
        try
        {
            fixed (nint* expressionPointers = expressions)
            fixed (uint* flags = patterns.Select(p => HyperscanNative.HS_FLAG_SINGLEMATCH | HyperscanNative.HS_FLAG_UTF8 | HyperscanNative.HS_FLAG_DOTALL | (p.Caseless ? HyperscanNative.HS_FLAG_CASELESS : 0)).ToArray())
            fixed (uint* ids = patterns.Select(p => p.Id).ToArray())
            {
                nint database;
                HyperscanNative.CompileError* error;
                var status = HyperscanNative.CompileMulti((byte**)expressionPointers, flags, ids, (uint)patterns.Count, HyperscanNative.HS_MODE_BLOCK, &platform, &database, &error);
                if (status != HyperscanNative.HS_SUCCESS)
                {
                    var message = error is null ? $"status {status}" : $"{Marshal.PtrToStringUTF8((nint)error->Message)} (pattern {(error->Expression >= 0 ? patterns[error->Expression].Id : 0)})";
                    if (error is not null) HyperscanNative.FreeCompileError(error);
                    throw new ArgumentException($"Hyperscan cannot compile the patterns: {message}");
                }

                _database = database;
            }
        }
        finally
        {
            foreach (var e in expressions) Marshal.FreeCoTaskMem(e);
        }

        _scratch = new ThreadLocal<nint>(() =>
        {
            nint scratch = 0;
            if (HyperscanNative.AllocScratch(_database, &scratch) != HyperscanNative.HS_SUCCESS) throw new InvalidOperationException("hs_alloc_scratch failed");
            lock (_scratches) _scratches.Add(scratch);
            return scratch;
        });
        Info = ReadInfo();
    }

    public string Tier { get; }

    /// <summary>hs_database_info: the version and the CPU features the database was compiled for.</summary>
    public string Info { get; }

    private string ReadInfo()
    {
        byte* info;
        if (HyperscanNative.DatabaseInfo(_database, &info) != HyperscanNative.HS_SUCCESS) return string.Empty;
        var text = Marshal.PtrToStringUTF8((nint)info) ?? string.Empty;
        NativeMemory.Free(info);
        return text;
    }

    public IReadOnlySet<uint> Match(ReadOnlySpan<byte> data)
    {
        var matched = new HashSet<uint>();
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

        return matched;
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static int OnMatch(uint id, ulong from, ulong to, uint flags, void* context)
    {
        ((HashSet<uint>)GCHandle.FromIntPtr((nint)context).Target!).Add(id);
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
