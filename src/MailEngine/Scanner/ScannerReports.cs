using System.Runtime.Intrinsics.X86;
using MailEngine.Contracts;

namespace MailEngine.Scanner;

/// <summary>
/// The scanner as the contract reports it (<see cref="ScannerReport"/>): the CPU (from
/// System.Runtime.Intrinsics.X86 and /proc/cpuinfo: this node's CPU, which is what the tier was
/// chosen for), the Hyperscan library found, the tier in use and why, the database's target
/// (hs_database_info), rule placements, compile time and database size, and the Bayes model.
/// </summary>
public static class ScannerReports
{
    /// <summary>The flags of /proc/cpuinfo that matter to Hyperscan and vectorscan.</summary>
    private static readonly string[] RelevantFlags = ["ssse3", "sse4_1", "sse4_2", "popcnt", "avx", "avx2", "bmi2", "avx512f", "avx512bw", "avx512vbmi"];

    public static ScannerReport Take(SpamScanner scanner, int learnedSinceStart)
    {
        var bayes = new ScannerReport.BayesReport(scanner.Bayes.SpamMessages, scanner.Bayes.HamMessages, scanner.Bayes.TokenCount, scanner.Bayes.Ready, learnedSinceStart);
        if (!scanner.Ready)
        {
            // The first compilation is running: the tier is known, the rules are not placed yet.
            var detected = scanner.DetectedPlatform;
            return new ScannerReport(ReadCpu(), Library(detected), ScannerTierName.Of(detected.Tier), scanner.ForcedTier is { } f ? ScannerTierName.Of(f) : null, detected.Reason,
                new ScannerReport.RulesReport(scanner.Rules.Count, new Dictionary<string, int>(), [], 0, 0, ""), bayes, "compiling");
        }

        var platform = scanner.Platform;
        var compiled = scanner.Compiled;
        var placements = compiled.Placements;
        return new ScannerReport(
            ReadCpu(),
            Library(platform),
            ScannerTierName.Of(platform.Tier),
            scanner.ForcedTier is { } forced ? ScannerTierName.Of(forced) : null,
            platform.Reason,
            new ScannerReport.RulesReport(
                placements.Count,
                Enum.GetValues<RulePlacement>().ToDictionary(p => p.ToString(), p => placements.Values.Count(v => v == p)),
                placements.Where(p => p.Value != RulePlacement.Hyperscan && compiled.Tier != ScannerTier.Managed).Select(p => $"{p.Key}: {p.Value}").Order(StringComparer.Ordinal).ToList(),
                Math.Round(compiled.CompileTime.TotalMilliseconds, 1), compiled.DatabaseBytes, compiled.DatabaseInfo),
            bayes);
    }

    private static ScannerReport.LibraryReport Library(ScannerPlatform platform) =>
        new(platform.LibraryFound, platform.LibraryPath, platform.Version, !platform.LibraryFound ? "none" : platform.IsVectorscan ? "vectorscan" : "Hyperscan", platform.ValidPlatform);

    private static ScannerReport.CpuReport ReadCpu()
    {
        var intrinsics = new Dictionary<string, bool>
        {
            ["SSSE3"] = Ssse3.IsSupported,
            ["SSE4.1"] = Sse41.IsSupported,
            ["SSE4.2"] = Sse42.IsSupported,
            ["POPCNT"] = Popcnt.IsSupported,
            ["AVX"] = Avx.IsSupported,
            ["AVX2"] = Avx2.IsSupported,
            ["BMI2"] = Bmi2.IsSupported,
            ["AVX-512F"] = Avx512F.IsSupported,
            ["AVX-512BW"] = Avx512BW.IsSupported,
            ["AVX-512VBMI"] = Avx512Vbmi.IsSupported,
        };
        string? model = null;
        var flags = new List<string>();
        try
        {
            foreach (var line in File.ReadLines("/proc/cpuinfo"))
            {
                if (model is null && line.StartsWith("model name", StringComparison.Ordinal)) model = line[(line.IndexOf(':') + 1)..].Trim();
                if (flags.Count == 0 && line.StartsWith("flags", StringComparison.Ordinal))
                {
                    var present = line[(line.IndexOf(':') + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);
                    flags.AddRange(RelevantFlags.Where(present.Contains));
                }

                if (model is not null && flags.Count > 0) break;
            }
        }
        catch (IOException)
        {
            // Not Linux, or /proc not mounted: the intrinsics still say what .NET sees.
        }

        return new ScannerReport.CpuReport(model, intrinsics, flags);
    }
}
