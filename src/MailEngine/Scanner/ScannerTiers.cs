using System.Runtime.InteropServices;
using MailEngine.Contracts;
using System.Runtime.Intrinsics.X86;

namespace MailEngine.Scanner;

/// <summary>What the machine offers and which tier is used, with the reason (for the diagnostics page).</summary>
public sealed record ScannerPlatform(
    bool LibraryFound, string? LibraryPath, string? Version, bool IsVectorscan, bool ValidPlatform,
    IReadOnlyList<string> CpuFeatures, ScannerTier Tier, string Reason);

/// <summary>
/// Chooses the tier at start, and says why: the managed tier when libhs is absent, the CPU lacks
/// SSSE3, or hs_valid_platform() refuses it (vectorscan needs SSE4.2: the seed's crash on older
/// CPUs), or when an admin forces it; the SSSE3 baseline when forced (a fleet of mixed CPUs);
/// else native.
/// </summary>
public static unsafe class ScannerTiers
{
    private static string? _resolvedPath;

    public static ScannerPlatform Detect(string? libraryPath = null, ScannerTier? forced = null)
    {
        var features = new List<string>();
        if (Ssse3.IsSupported) features.Add("SSSE3");
        if (Sse42.IsSupported) features.Add("SSE4.2");
        if (Avx2.IsSupported) features.Add("AVX2");
        if (Avx512BW.IsSupported) features.Add("AVX512BW");
        if (Avx512Vbmi.IsSupported) features.Add("AVX512VBMI");

        var path = libraryPath ?? HyperscanNative.Library;
        if (libraryPath is not null && !File.Exists(libraryPath))
            return new ScannerPlatform(false, libraryPath, null, false, false, features, ScannerTier.Managed, $"no Hyperscan library at {libraryPath}: managed tier");
        if (!NativeLibrary.TryLoad(path, out var handle))
            return new ScannerPlatform(false, path, null, false, false, features, ScannerTier.Managed, $"{path} cannot be loaded (install libhyperscan5): managed tier");

        UsePath(path);
        var version = Marshal.PtrToStringUTF8((nint)((delegate* unmanaged[Cdecl]<byte*>)NativeLibrary.GetExport(handle, "hs_version"))()) ?? string.Empty;
        var valid = ((delegate* unmanaged[Cdecl]<int>)NativeLibrary.GetExport(handle, "hs_valid_platform"))() == HyperscanNative.HS_SUCCESS;
        // Intel Hyperscan's last release is 5.4.0; vectorscan continues the numbering from 5.4.1 and needs SSE4.2.
        var vectorscan = Version.TryParse(version.Split(' ')[0], out var v) && v > new Version(5, 4, 0);
        string reason;
        ScannerTier tier;
        if (forced is ScannerTier.Managed) (tier, reason) = (ScannerTier.Managed, "forced by an administrator");
        else if (!Ssse3.IsSupported) (tier, reason) = (ScannerTier.Managed, "this CPU lacks SSSE3, Hyperscan's minimum");
        else if (!valid) (tier, reason) = (ScannerTier.Managed, $"hs_valid_platform() refuses this CPU{(vectorscan ? " (vectorscan needs SSE4.2)" : string.Empty)}");
        else if (forced is ScannerTier.Ssse3Baseline) (tier, reason) = (ScannerTier.Ssse3Baseline, "forced by an administrator: a database for no CPU features");
        else (tier, reason) = (ScannerTier.Native, $"Hyperscan {version.Split(' ')[0]} accepts this CPU ({string.Join(", ", features)})");
        return new ScannerPlatform(true, path, version, vectorscan, valid, features, tier, reason);
    }

    /// <summary>Points the P/Invoke declarations at the library found (a configured path instead of the default name).</summary>
    private static void UsePath(string path)
    {
        if (path == HyperscanNative.Library || Interlocked.CompareExchange(ref _resolvedPath, path, null) is not null) return;
        NativeLibrary.SetDllImportResolver(typeof(ScannerTiers).Assembly, (name, _, _) =>
            name == HyperscanNative.Library && NativeLibrary.TryLoad(_resolvedPath!, out var h) ? h : 0);
    }

    /// <summary>The matcher for a tier.</summary>
    public static IPatternMatcher Create(ScannerTier tier, IReadOnlyList<ScanPattern> patterns) => tier switch
    {
        ScannerTier.Native => new HyperscanPatternMatcher(patterns, baseline: false),
        ScannerTier.Ssse3Baseline => new HyperscanPatternMatcher(patterns, baseline: true),
        _ => new ManagedPatternMatcher(patterns),
    };
}
