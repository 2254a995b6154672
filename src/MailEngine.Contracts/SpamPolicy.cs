namespace MailEngine.Contracts;

/// <summary>A rule's per-domain change: turned off, or a different score.</summary>
public sealed record SpamRuleOverride(bool Enabled = true, double? Score = null);

/// <summary>
/// A domain's spam settings (from the console): at <see cref="HeaderThreshold"/> the headers say
/// "Yes", at <see cref="JunkThreshold"/> the Sieve before-script files the message into Junk
/// (spamtest 6 and up), at <see cref="RejectThreshold"/> it is refused at DATA with 550 5.7.1.
/// </summary>
public sealed record SpamPolicy
{
    public static readonly SpamPolicy Default = new();
    public bool Enabled { get; init; } = true;
    public double HeaderThreshold { get; init; } = 5;
    public double JunkThreshold { get; init; } = 6;
    public double RejectThreshold { get; init; } = 15;
    public IReadOnlyDictionary<string, SpamRuleOverride> Overrides { get; init; } = new Dictionary<string, SpamRuleOverride>();

    /// <summary>GTUBE's score; thresholds must stay below it, so the test message is always refused.</summary>
    public const double MaxThreshold = 999;
}
