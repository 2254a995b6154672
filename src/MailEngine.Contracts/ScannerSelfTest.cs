namespace MailEngine.Contracts;

/// <summary>One tier's self-test figures.</summary>
public sealed record TierSelfTest(ScannerTier Tier, int Messages, long Bytes, double Seconds, double MessagesPerSecond, double MegabytesPerSecond, int ExpectationFailures);

/// <summary>The self-test: every tier over the built-in corpus, and where tiers disagree.</summary>
public sealed record ScannerSelfTest(IReadOnlyList<TierSelfTest> Tiers, IReadOnlyList<string> Disagreements, IReadOnlyList<string> ExpectationFailures)
{
    public bool Agree => Disagreements.Count == 0;
}
