using System.Text;

namespace MailEngine.Sieve;

/// <summary>
/// What a script decided (RFC 5228 2.10, 4). <see cref="Describe"/> is the stable one-line form
/// adminctl sieve-test prints and tests compare.
/// </summary>
public abstract record SieveAction
{
    public abstract string Describe();

    protected static string Quote(string text) => "\"" + text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";

    protected static string FlagList(IReadOnlyList<string> flags) => flags.Count == 0 ? string.Empty : " flags " + string.Join(' ', flags.Select(Quote));
}

/// <summary>Store in INBOX (explicit keep, or the implicit keep), with imap4flags' flags.</summary>
public sealed record KeepAction(IReadOnlyList<string> Flags, bool Implicit) : SieveAction
{
    public override string Describe() => "keep" + FlagList(Flags);
}

public sealed record FileIntoAction(string Folder, IReadOnlyList<string> Flags, bool Create, bool Copy) : SieveAction
{
    public override string Describe() => "fileinto " + Quote(Folder) + (Create ? " create" : string.Empty) + (Copy ? " copy" : string.Empty) + FlagList(Flags);
}

public sealed record RedirectAction(string Address, bool Copy) : SieveAction
{
    public override string Describe() => "redirect " + Quote(Address) + (Copy ? " copy" : string.Empty);
}

/// <summary>reject (RFC 5429 2.2, an MDN-style refusal) or ereject (2.1, a protocol-level refusal).</summary>
public sealed record RejectAction(string Reason, bool Extended) : SieveAction
{
    public override string Describe() => (Extended ? "ereject " : "reject ") + Quote(Reason);
}

public sealed record DiscardAction : SieveAction
{
    public override string Describe() => "discard";
}

/// <summary>A vacation reply to send (RFC 5230), already cleared by the checks of 4.5-4.7 and the reply memory.</summary>
/// <param name="IgnoredFrom">A :from the mailbox may not send as; the reply goes from its own address instead.</param>
public sealed record VacationAction(string To, string From, string Subject, string Reason, bool Mime, string Handle, TimeSpan Period, string? InReplyTo, string? References,
    string? IgnoredFrom = null) : SieveAction
{
    public override string Describe() => "vacation to " + Quote(To) + " from " + Quote(From) + " subject " + Quote(Subject) + " period " + Format(Period)
        + (IgnoredFrom is null ? "" : " (:from " + Quote(IgnoredFrom) + " ignored: not an address this mailbox may send as)");

    /// <summary>"7d", "36h", "90m" or "45s": the largest whole unit.</summary>
    public static string Format(TimeSpan period) =>
        period.TotalSeconds % 86400 == 0 ? $"{(long)period.TotalDays}d"
        : period.TotalSeconds % 3600 == 0 ? $"{(long)period.TotalHours}h"
        : period.TotalSeconds % 60 == 0 ? $"{(long)period.TotalMinutes}m"
        : $"{(long)period.TotalSeconds}s";
}

/// <summary>A vacation action that sends nothing, and why (RFC 5230 4.5/4.6, RFC 3834): shown by the trial tools, ignored by delivery.</summary>
public sealed record VacationSuppressedAction(string Why) : SieveAction
{
    public override string Describe() => "vacation not sent: " + Why;
}

/// <summary>An imap4flags change (RFC 5232) to the internal flag variable, for tracing.</summary>
public sealed record FlagAction(string Verb, IReadOnlyList<string> Flags) : SieveAction
{
    public override string Describe() => Verb + " " + string.Join(' ', Flags.Select(Quote));
}

/// <summary>The outcome of running a script: actions in order, or a runtime error (then the implicit keep, RFC 5228 2.10.6).</summary>
public sealed record SieveResult(IReadOnlyList<SieveAction> Actions, string? Error, bool Stopped = false, bool BudgetExceeded = false)
{
    /// <summary>Whether the message is kept only because nothing said otherwise (RFC 5228 2.10.2).</summary>
    public bool KeptImplicitly => Actions.OfType<KeepAction>().Any(k => k.Implicit);

    public string Describe()
    {
        var builder = new StringBuilder();
        if (Error is not null) builder.Append("error ").Append(Error).Append('\n');
        foreach (var action in Actions) builder.Append(action.Describe()).Append('\n');
        return builder.ToString();
    }
}
