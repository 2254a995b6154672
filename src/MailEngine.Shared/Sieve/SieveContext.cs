using MimeKit;

namespace MailEngine.Sieve;

/// <summary>The SMTP envelope of the message being delivered (RFC 5228 5.4 envelope test).</summary>
public sealed record SieveEnvelope(string From, string To, string? Auth = null);

/// <summary>
/// Remembers vacation replies (RFC 5230 4.2: at most one per sender and handle per period). The
/// engine's implementation persists it; tests and sieve-test use the in-memory one.
/// </summary>
public interface IVacationMemory
{
    /// <summary>Whether a reply to <paramref name="sender"/> under <paramref name="handle"/> may go now; if so, it is recorded.</summary>
    bool TryRecord(string recipient, string sender, string handle, TimeSpan period, DateTimeOffset now);
}

public sealed class InMemoryVacationMemory : IVacationMemory
{
    private readonly Dictionary<string, DateTimeOffset> _sent = new(StringComparer.OrdinalIgnoreCase);

    public bool TryRecord(string recipient, string sender, string handle, TimeSpan period, DateTimeOffset now)
    {
        var key = $"{recipient}\n{sender}\n{handle}";
        lock (_sent)
        {
            if (_sent.TryGetValue(key, out var last) && now - last < period) return false;
            _sent[key] = now;
            return true;
        }
    }
}

/// <summary>What a script runs against besides the message: the clock, the user, folders, vacation memory, spam score.</summary>
public sealed record SieveContext
{
    public required DateTimeOffset Now { get; init; }

    /// <summary>The mailbox the message is delivered to (vacation's own address).</summary>
    public required string Recipient { get; init; }

    /// <summary>Other addresses of the user (groups they receive through), for vacation's "is it to me" check.</summary>
    public IReadOnlyList<string> Aliases { get; init; } = [];

    public Func<string, bool> FolderExists { get; init; } = _ => false;
    public IVacationMemory Vacations { get; init; } = new InMemoryVacationMemory();

    /// <summary>Whether the recipient may send as an address (its own, a group it is in); a vacation :from must pass it.</summary>
    public Func<string, bool>? MaySendAs { get; init; }

    /// <summary>The spam scanner's score on spamtest's 0-10 scale, or null when the message was not scanned (RFC 5235 3.2: "0").</summary>
    public double? SpamScore { get; init; }

    /// <summary>The score as a percentage for spamtestplus (:percent), or null.</summary>
    public double? SpamPercent { get; init; }

    public SieveLimits Limits { get; init; } = SieveLimits.Default;
}

/// <summary>
/// The message a script runs on, with its size and envelope. It is parsed (once) only when a test
/// or action looks at it: most deliveries run only the spam before-script, which reads no header.
/// </summary>
public sealed class SieveMessage
{
    private readonly Lazy<MimeMessage> _message;

    public SieveMessage(MimeMessage message, long size, SieveEnvelope envelope)
        : this(() => message, size, envelope)
    {
    }

    private SieveMessage(Func<MimeMessage> load, long size, SieveEnvelope envelope)
        : this(new Lazy<MimeMessage>(load, LazyThreadSafetyMode.None), size, envelope)
    {
    }

    private SieveMessage(Lazy<MimeMessage> message, long size, SieveEnvelope envelope)
    {
        _message = message;
        Size = size;
        Envelope = envelope;
    }

    /// <summary>The same message for another recipient's envelope: parsed at most once for all of them.</summary>
    public SieveMessage For(SieveEnvelope envelope) => new(_message, Size, envelope);

    public MimeMessage Message => _message.Value;

    /// <summary>The scanner's verdict on spamtest's scale and as a percentage, set by delivery; null when not scanned.</summary>
    public (double Score, double Percent)? Spam { get; set; }
    public long Size { get; }
    public SieveEnvelope Envelope { get; }

    /// <summary>
    /// A message read from <paramref name="stream"/> at its current position when first needed; the
    /// stream must stay open while the message is in use. Unparseable input reads as an empty message.
    /// </summary>
    public static SieveMessage Load(Stream stream, SieveEnvelope envelope)
    {
        var start = stream.CanSeek ? stream.Position : 0;
        var size = stream.CanSeek ? stream.Length - start : 0;
        return new SieveMessage(() =>
        {
            if (stream.CanSeek) stream.Position = start;
            try
            {
                return MimeMessage.Load(stream);
            }
            catch (FormatException)
            {
                return new MimeMessage();
            }
        }, size, envelope);
    }
}
