namespace MailEngine.Contracts;

/// <summary>Where a mailbox's usage turns from fine to warning to critical: the engine mails a warning at each, the console colours its bars the same.</summary>
public static class QuotaThresholds
{
    public static readonly int[] WarningPercents = [80, 95];
}
