using MimeKit;

namespace MailEngine.Sieve;

/// <summary>
/// A script tried on a message outside delivery (adminctl sieve-test, the console's test panel):
/// nothing is delivered, no folder exists, no vacation reply has been sent before. Either the
/// script's compile errors, the message's parse error, or the result.
/// </summary>
public sealed record SieveTrial(IReadOnlyList<SieveError> CompileErrors, string? MessageError, SieveResult? Result)
{
    /// <param name="from">The envelope sender; unset, the message's first From address.</param>
    /// <param name="to">The envelope recipient; unset, <paramref name="recipient"/> or else the message's first To address.</param>
    /// <param name="recipient">The mailbox the script belongs to (vacation's own address); unset, the envelope recipient.</param>
    public static SieveTrial Run(string script, byte[] message, string? from, string? to, string? recipient, DateTimeOffset now)
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

        var sender = string.IsNullOrWhiteSpace(from) ? parsed.From.Mailboxes.FirstOrDefault()?.Address ?? string.Empty : from.Trim();
        var envelopeTo = !string.IsNullOrWhiteSpace(to) ? to.Trim() : recipient ?? parsed.To.Mailboxes.FirstOrDefault()?.Address ?? string.Empty;
        var result = SieveInterpreter.Run(compiled.Script!, new SieveMessage(parsed, message.Length, new SieveEnvelope(sender, envelopeTo)),
            new SieveContext { Now = now, Recipient = recipient ?? envelopeTo });
        return new SieveTrial([], null, result);
    }
}
