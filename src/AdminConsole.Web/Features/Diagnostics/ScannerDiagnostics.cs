using System.Runtime.Intrinsics.X86;
using AdminConsole.Core.Audit;
using AdminConsole.Core.Data;
using MailEngine.Hosting;
using MailEngine.Scanner;

namespace AdminConsole.Web.Features.Diagnostics;

/// <summary>
/// What the diagnostics page and GET /api/v1/diagnostics/scanner show about the spam scanner: the
/// CPU (from System.Runtime.Intrinsics.X86 and /proc/cpuinfo), the Hyperscan library found, the
/// tier in use and why, the database's target (hs_database_info), rule placements, compile time
/// and database size; the self-test; and the audited control that forces a tier.
/// </summary>
public sealed class ScannerDiagnostics(MailEngineHost engine, AdminDbContext db, AuditLog audit)
{
    public sealed record CpuReport(string? Model, IReadOnlyDictionary<string, bool> Intrinsics, IReadOnlyList<string> ProcFlags);

    public sealed record LibraryReport(bool Found, string? Path, string? Version, string Kind, bool ValidPlatform);

    public sealed record RulesReport(int Total, IReadOnlyDictionary<string, int> ByPlacement, IReadOnlyList<string> NotInHyperscan, double CompileMilliseconds, long DatabaseBytes, string DatabaseInfo);

    public sealed record BayesReport(int SpamMessages, int HamMessages, int Tokens, bool Ready, int LearnedSinceStart);

    public sealed record Report(CpuReport Cpu, LibraryReport Library, string Tier, string? ForcedTier, string Reason, RulesReport Rules, BayesReport Bayes);

    /// <summary>The flags of /proc/cpuinfo that matter to Hyperscan and vectorscan.</summary>
    private static readonly string[] RelevantFlags = ["ssse3", "sse4_1", "sse4_2", "popcnt", "avx", "avx2", "bmi2", "avx512f", "avx512bw", "avx512vbmi"];

    public Report Take()
    {
        var scanner = engine.Scanner;
        var platform = scanner.Platform;
        var compiled = scanner.Compiled;
        var placements = compiled.Placements;
        return new Report(
            ReadCpu(),
            new LibraryReport(platform.LibraryFound, platform.LibraryPath, platform.Version, !platform.LibraryFound ? "none" : platform.IsVectorscan ? "vectorscan" : "Hyperscan", platform.ValidPlatform),
            TierName(platform.Tier),
            scanner.ForcedTier is { } forced ? TierName(forced) : null,
            platform.Reason,
            new RulesReport(
                placements.Count,
                Enum.GetValues<RulePlacement>().ToDictionary(p => p.ToString(), p => placements.Values.Count(v => v == p)),
                placements.Where(p => p.Value != RulePlacement.Hyperscan && compiled.Tier != ScannerTier.Managed).Select(p => $"{p.Key}: {p.Value}").Order(StringComparer.Ordinal).ToList(),
                Math.Round(compiled.CompileTime.TotalMilliseconds, 1), compiled.DatabaseBytes, compiled.DatabaseInfo),
            new BayesReport(scanner.Bayes.SpamMessages, scanner.Bayes.HamMessages, scanner.Bayes.TokenCount, scanner.Bayes.Ready, engine.Learner.Learned));
    }

    public static string TierName(ScannerTier tier) => tier switch
    {
        ScannerTier.Native => "native",
        ScannerTier.Ssse3Baseline => "ssse3",
        _ => "managed",
    };

    public static ScannerTier? ParseTier(string? name) => name?.Trim().ToLowerInvariant() switch
    {
        null or "" or "auto" => null,
        "native" => ScannerTier.Native,
        "ssse3" or "baseline" or "ssse3baseline" => ScannerTier.Ssse3Baseline,
        "managed" => ScannerTier.Managed,
        _ => throw new Core.DomainValidationException("tier", "The tier must be auto, native, ssse3 or managed."),
    };

    private static CpuReport ReadCpu()
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

        return new CpuReport(model, intrinsics, flags);
    }

    /// <summary>Runs the self-test (every available tier over the built-in corpus).</summary>
    public ScannerSelfTest SelfTest() => engine.Scanner.SelfTest(budget: TimeSpan.FromSeconds(1));

    /// <summary>Forces a tier (null: choose automatically again), recorded in the audit log.</summary>
    public async Task<Report> ForceAsync(string? tierName, string actor, string? remoteAddress, CancellationToken ct)
    {
        var tier = ParseTier(tierName);
        var before = engine.Scanner.ForcedTier is { } f ? TierName(f) : "auto";
        var platform = await Task.Run(() => engine.Scanner.Force(tier), ct);
        audit.Record(actor, "scanner.tier", "scanner", new { before, after = tier is { } t ? TierName(t) : "auto", used = TierName(platform.Tier), reason = platform.Reason }, remoteAddress);
        await db.SaveChangesAsync(ct);
        return Take();
    }
}
