namespace AdminConsole.Core.Alerts;

/// <summary>How urgent a rule is: <c>critical</c> means mail is or will soon be lost or refused.</summary>
public enum AlertSeverity
{
    Warning,
    Critical,
}
