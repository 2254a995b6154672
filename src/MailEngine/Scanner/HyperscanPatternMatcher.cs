using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;

namespace MailEngine.Scanner;

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
