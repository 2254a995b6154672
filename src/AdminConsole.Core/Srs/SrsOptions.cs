namespace AdminConsole.Core.Srs;

/// <summary>Settings of the Sender Rewriting Scheme (section "Srs").</summary>
public sealed class SrsOptions
{
    public const string Section = "Srs";

    /// <summary>How often a new secret replaces the signing one (the old one still verifies for 21 days).</summary>
    public TimeSpan RotateEvery { get; set; } = TimeSpan.FromDays(30);
}
