namespace MailEngine.Scanner;

/// <summary>A compiled set of patterns that reports which ids match a buffer.</summary>
public interface IPatternMatcher : IDisposable
{
    string Tier { get; }
    void Match(ScanBuffer buffer, ISet<uint> matched);
}
