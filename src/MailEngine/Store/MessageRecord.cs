namespace MailEngine.Store;

/// <summary>
/// What the folder index knows of one message. The Maildir file name is the durable truth for UID
/// (",U=" field), size (",S="), flags and keywords (":2,"); the rest is cached from the message's
/// octets the first time a client asks and kept in the index so the next FETCH reads no file.
/// </summary>
public sealed class MessageRecord
{
    public required uint Uid { get; init; }

    /// <summary>The file's name in cur/ (base, fields and info).</summary>
    public required string FileName { get; set; }

    public MessageFlags Flags { get; set; }

    /// <summary>Bit k set: keyword k of the folder's keyword list (a..z in the file name).</summary>
    public uint Keywords { get; set; }

    /// <summary>The P flag (passed/forwarded) is kept as Maildir has it; IMAP shows it as $Forwarded.</summary>
    public bool Passed { get; set; }

    public required long Size { get; init; }

    /// <summary>INTERNALDATE (RFC 3501 2.3.3), Unix milliseconds; the file's mtime holds it too.</summary>
    public required long InternalDate { get; init; }

    /// <summary>When the message was stored in this folder (Unix milliseconds): Trash and Junk expire by it.</summary>
    public required long SavedAt { get; init; }

    /// <summary>The folder's change counter when this message last changed (RFC 7162 MODSEQ).</summary>
    public ulong ModSeq { get; set; }

    /// <summary>Cached wire forms (null until first computed).</summary>
    public byte[]? Envelope { get; set; }
    public byte[]? BodyStructure { get; set; }
    public byte[]? Body { get; set; }

    /// <summary>Decoded From, To, Cc, Bcc and Subject, one per line, for SEARCH without reading the file.</summary>
    public string? SearchHeaders { get; set; }

    /// <summary>The Date header in Unix milliseconds, or long.MinValue when it has none.</summary>
    public long SentDate { get; set; } = long.MinValue;

    /// <summary>Whether the header-derived values (envelope, search headers, sent date) are cached.</summary>
    public bool HasHeaderCache => Envelope is not null && SearchHeaders is not null;

    /// <summary>Whether the body structures (BODY, BODYSTRUCTURE) are cached; they need the whole message.</summary>
    public bool HasStructureCache => BodyStructure is not null && Body is not null;

    /// <summary>The part of the file name before ":2," (stable while flags change).</summary>
    public string BaseName => MaildirNames.BaseName(FileName);
}

public static class MaildirNames
{
    public static string BaseName(string fileName)
    {
        var colon = fileName.IndexOf(':');
        return colon < 0 ? fileName : fileName[..colon];
    }

    /// <summary>The UID our store wrote into the name (",U=123"), or 0.</summary>
    public static uint UidFromName(string fileName)
    {
        var baseName = BaseName(fileName);
        var s = baseName.IndexOf(",U=", StringComparison.Ordinal);
        if (s < 0) return 0;
        var end = s + 3;
        while (end < baseName.Length && char.IsAsciiDigit(baseName[end])) end++;
        return uint.TryParse(baseName.AsSpan(s + 3, end - s - 3), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var uid) ? uid : 0;
    }

    /// <summary>
    /// Delivery time from a Maildir name ("&lt;seconds&gt;.M&lt;microseconds&gt;P..." as qmail, Dovecot and
    /// this engine write them), or null for names of another form. Saves a stat(2) per new message.
    /// </summary>
    public static (long Seconds, long Microseconds)? DeliveryTime(string fileName)
    {
        var dot = fileName.IndexOf('.');
        if (dot <= 0 || !long.TryParse(fileName.AsSpan(0, dot), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var seconds)) return null;
        long micro = 0;
        if (dot + 1 < fileName.Length && fileName[dot + 1] == 'M')
        {
            var end = dot + 2;
            while (end < fileName.Length && char.IsAsciiDigit(fileName[end])) end++;
            _ = long.TryParse(fileName.AsSpan(dot + 2, end - dot - 2), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out micro);
        }

        return (seconds, micro);
    }

    /// <summary>Removes a ",U=" field (a message copied or moved gets its new folder's UID).</summary>
    public static string WithoutUid(string baseName)
    {
        var s = baseName.IndexOf(",U=", StringComparison.Ordinal);
        if (s < 0) return baseName;
        var end = s + 3;
        while (end < baseName.Length && char.IsAsciiDigit(baseName[end])) end++;
        return baseName[..s] + baseName[end..];
    }
}
