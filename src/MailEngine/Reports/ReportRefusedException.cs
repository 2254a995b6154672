namespace MailEngine.Reports;

/// <summary>A message at a report address that is not a report we can read; the message says why, for the Reports page.</summary>
public sealed class ReportRefusedException(string reason) : Exception("report refused: " + reason);
