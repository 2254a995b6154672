namespace AdminConsole.Core.Alerts;

/// <summary>
/// A rule's condition holding for one subject at one evaluation ("node=local", "certificate=mx.example.com").
/// </summary>
/// <param name="Value">The figure compared with the threshold (messages, seconds, a ratio, days).</param>
/// <param name="Message">What is wrong, in words, with the figure.</param>
public sealed record AlertCondition(string RuleId, string Subject, double Value, string Message);
