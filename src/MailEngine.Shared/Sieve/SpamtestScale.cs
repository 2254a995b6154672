namespace MailEngine.Sieve;

/// <summary>
/// How the scanner's score becomes Sieve's spamtest values (RFC 5235): 1-5 below the Junk threshold,
/// 6-10 from it up to the reject threshold, so the before-script's "ge 6" means "Junk"; and the
/// percentage of the reject threshold for spamtestplus. Returned as the score minus one (the
/// interpreter adds it back: 0 is "not tested").
/// </summary>
public static class SpamtestScale
{
    public static (double Score, double Percent) Of(double score, double junkThreshold, double rejectThreshold)
    {
        double level;
        if (score < junkThreshold) level = 1 + Math.Clamp(score / Math.Max(junkThreshold, 0.1), 0, 1) * 4; // 1 ..< 5
        else level = 6 + Math.Clamp((score - junkThreshold) / Math.Max(rejectThreshold - junkThreshold, 0.1), 0, 1) * 4;
        level = score < junkThreshold ? Math.Min(Math.Floor(level), 5) : Math.Min(Math.Floor(level), 10);
        return (level - 1, Math.Clamp(score / Math.Max(rejectThreshold, 0.1) * 100, 0, 100));
    }
}
