using MimeKit;

namespace MailEngine.Sieve;

/// <summary>
/// A script tried on a message outside delivery (adminctl sieve-test, the console's test panel):
/// nothing is delivered, no folder exists, no vacation reply has been sent before. Either the
/// script's compile errors, the message's parse error, or the result.
/// </summary>
public sealed record SieveTrial(IReadOnlyList<SieveError> CompileErrors, string? MessageError, SieveResult? Result)
{
    /// <param name="from">The envelope sender, "&lt;&gt;" for the null sender (a bounce); unset, the message's first From address.</param>
    /// <param name="to">The envelope recipient; unset, <paramref name="recipient"/> or else the message's first To address.</param>
    /// <param name="recipient">The mailbox the script belongs to (vacation's own address); unset, the envelope recipient.</param>
    /// <param name="spamScore">The scanner's score in points, as the default thresholds turn it into spamtest; null: not tested (spamtest is 0).</param>
    public static SieveTrial Run(string script, byte[] message, string? from, string? to, string? recipient, DateTimeOffset now, double? spamScore = null)
    {
        var compiled = SieveParser.Compile(script);
        if (!compiled.Succeeded) return new SieveTrial(compiled.Errors, null, null);
        MimeMessage parsed;
        try
        {
            parsed = MimeMessage.Load(new MemoryStream(message));
        }
        catch (FormatException e)
        {
            return new SieveTrial([], e.Message, null);
        }

        var sender = string.IsNullOrWhiteSpace(from) ? parsed.From.Mailboxes.FirstOrDefault()?.Address ?? string.Empty
            : from.Trim() == "<>" ? string.Empty // the null reverse-path (RFC 5321 4.5.5)
            : from.Trim().Trim('<', '>');
        var spamtest = spamScore is { } points
            ? SpamtestScale.Of(points, Contracts.SpamPolicy.Default.JunkThreshold, Contracts.SpamPolicy.Default.RejectThreshold)
            : ((double Score, double Percent)?)null;
        var envelopeTo = !string.IsNullOrWhiteSpace(to) ? to.Trim() : recipient ?? parsed.To.Mailboxes.FirstOrDefault()?.Address ?? string.Empty;
        var result = SieveInterpreter.Run(compiled.Script!, new SieveMessage(parsed, message.Length, new SieveEnvelope(sender, envelopeTo)),
            new SieveContext { Now = now, Recipient = recipient ?? envelopeTo, SpamScore = spamtest?.Score, SpamPercent = spamtest?.Percent });
        return new SieveTrial([], null, result);
    }
}
