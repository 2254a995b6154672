using System.Globalization;
using MailEngine.Imap.Protocol;
using MailEngine.Store;

namespace MailEngine.Imap;

internal sealed partial class ImapSession
{
    /// <summary>
    /// APPEND (RFC 3501 6.3.11) with flags and an internal date, answered with APPENDUID (RFC 4315).
    /// The message is on disk (fsynced) before OK. A missing folder gets [TRYCREATE]; a message over
    /// the quota [OVERQUOTA].
    /// </summary>
    private async ValueTask AppendAsync(ImapCommand command, ImapArguments args, CancellationToken ct)
    {
        var name = MailAccount.Canonical(args.AString("folder name"));
        var flagNames = new List<string>();
        if (args.Peek is { IsList: true }) flagNames.AddRange(args.List("flags").Select(f => f.Text));
        var internalDate = _services.Clock.GetUtcNow();
        if (args.Peek is { Kind: ImapValueKind.Quoted } date) internalDate = ParseDateTime(args.Next("date").Text);
        var message = args.Next("message");
        if (message.Kind != ImapValueKind.Literal) throw ImapCommandException.Syntax("The message must be a literal");
        args.End();
        if (message.LiteralLength == 0) throw ImapCommandException.Refused("Empty message", "CANNOT");
        if (!_account!.Exists(name)) throw ImapCommandException.Refused("No such folder", "TRYCREATE");
        CheckQuota(message.LiteralLength);

        var folder = _services.Folders.Acquire(_user!, name);
        try
        {
            var (flags, keywords, passed) = ParseFlags(folder, flagNames, create: true);
            var record = message.File is { } file
                ? folder.AppendFile(file, message.LiteralLength, flags, keywords, passed, internalDate)
                : folder.Append(message.Bytes, flags, keywords, passed, internalDate);
            await CompleteAsync(command, "APPEND completed", ct, code: $"APPENDUID {folder.UidValidity} {record.Uid}");
        }
        finally
        {
            _services.Folders.Release(folder);
        }
    }

    /// <summary>Flag names to system flags, keywords and $Forwarded (kept as Maildir's P); \Recent may not be set.</summary>
    private static (MessageFlags Flags, uint Keywords, bool Passed) ParseFlags(MailFolder folder, IEnumerable<string> names, bool create)
    {
        var classified = MessageFlagNames.Classify(names);
        if (classified.Invalid is [var bad, ..]) throw ImapCommandException.Syntax(bad.StartsWith('\\') ? $"Invalid flag {bad}" : $"Invalid keyword {bad}");
        return (classified.System, folder.KeywordMask(classified.Keywords, create), classified.Passed);
    }

    /// <summary>date-time (RFC 3501 9): "dd-Mon-yyyy hh:mm:ss +zzzz", the day possibly space-padded.</summary>
    private static DateTimeOffset ParseDateTime(string text)
    {
        var trimmed = text.Trim();
        if (DateTimeOffset.TryParseExact(trimmed, ["d-MMM-yyyy HH:mm:ss zzz", "dd-MMM-yyyy HH:mm:ss zzz"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsed))
            return parsed;
        // .NET wants "+02:00"; IMAP writes "+0200".
        if (trimmed.Length > 5 && trimmed[^5] is '+' or '-')
        {
            var withColon = trimmed[..^2] + ":" + trimmed[^2..];
            if (DateTimeOffset.TryParseExact(withColon, ["d-MMM-yyyy HH:mm:ss zzz", "dd-MMM-yyyy HH:mm:ss zzz"], CultureInfo.InvariantCulture, DateTimeStyles.None, out parsed))
                return parsed;
        }

        throw ImapCommandException.Syntax($"Invalid date-time \"{text}\"");
    }

    /// <summary>INTERNALDATE's form: "dd-Mon-yyyy hh:mm:ss +zzzz".</summary>
    private static string FormatDateTime(long unixMilliseconds)
    {
        var date = DateTimeOffset.FromUnixTimeMilliseconds(unixMilliseconds);
        return date.ToString("dd-MMM-yyyy HH:mm:ss", CultureInfo.InvariantCulture) + " +0000";
    }
}
