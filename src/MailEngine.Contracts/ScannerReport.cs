namespace MailEngine.Contracts;

/// <summary>
/// What the diagnostics page and GET /api/v1/diagnostics/scanner show about a node's spam scanner: the
/// CPU, the Hyperscan library found, the tier in use and why, the database's target, rule placements,
/// compile time and size, and the Bayes model. Tier names as <see cref="ScannerTierName"/> gives them.
/// </summary>
/// <param name="State">"ready", or "compiling" while the rules are compiled in the background (then Rules is empty).</param>
public sealed record ScannerReport(ScannerReport.CpuReport Cpu, ScannerReport.LibraryReport Library, string Tier, string? ForcedTier, string Reason, ScannerReport.RulesReport Rules, ScannerReport.BayesReport Bayes, string State = "ready")
{
    public sealed record CpuReport(string? Model, IReadOnlyDictionary<string, bool> Intrinsics, IReadOnlyList<string> ProcFlags);

    public sealed record LibraryReport(bool Found, string? Path, string? Version, string Kind, bool ValidPlatform);

    public sealed record RulesReport(int Total, IReadOnlyDictionary<string, int> ByPlacement, IReadOnlyList<string> NotInHyperscan, double CompileMilliseconds, long DatabaseBytes, string DatabaseInfo);

    /// <param name="Ready">It has learned at least <see cref="MinimumPerClass"/> messages of each kind and scores.</param>
    public sealed record BayesReport(int SpamMessages, int HamMessages, int Tokens, bool Ready, int LearnedSinceStart)
    {
        public const int MinimumPerClass = 50;
    }
}
