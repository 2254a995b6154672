using System.Text;

namespace MailEngine.Store;

/// <summary>
/// The per-folder index "imap.index", a cache beside the Maildir's cur/new/tmp:
/// <code>
///   "MEIMAPIX" (8 octets), version (u16 = 1)
///   uidvalidity (u32), uidnext (u32), highestmodseq (u64)
///   keyword count (i32), keywords (length-prefixed UTF-8)
///   record count (i32), then per record, in ascending UID order:
///     uid u32, modseq u64, flags u8, keywords u32, passed bool, size i64, internaldate i64,
///     savedat i64, sentdate i64, file name (string), envelope / bodystructure / body
///     (i32 length, -1 when not cached, then octets), search headers (bool present, string)
///   "XIPAMIEM" (8 octets) closing the file
/// </code>
/// Written whole to a temporary file and renamed over the old one, so a reader sees one complete
/// version. It is only a cache: UIDs, flags and keywords live in the Maildir file names and
/// UIDVALIDITY/UIDNEXT in "imap-uids"; a missing, truncated or foreign index is rebuilt from them
/// (<see cref="MailFolder"/>), losing only cached envelopes.
/// </summary>
internal static class FolderIndexFile
{
    private static readonly byte[] Magic = "MEIMAPIX"u8.ToArray();
    private static readonly byte[] Trailer = "XIPAMIEM"u8.ToArray();
    private const ushort Version = 1;

    public sealed record Contents(uint UidValidity, uint UidNext, ulong HighestModSeq, List<string> Keywords, List<MessageRecord> Records);

    public static Contents? TryRead(string path)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
            using var reader = new BinaryReader(stream, Encoding.UTF8);
            if (!reader.ReadBytes(8).AsSpan().SequenceEqual(Magic) || reader.ReadUInt16() != Version) return null;
            var uidValidity = reader.ReadUInt32();
            var uidNext = reader.ReadUInt32();
            var modSeq = reader.ReadUInt64();
            var keywordCount = reader.ReadInt32();
            if (keywordCount is < 0 or > 26) return null;
            var keywords = new List<string>(keywordCount);
            for (var i = 0; i < keywordCount; i++) keywords.Add(reader.ReadString());
            var count = reader.ReadInt32();
            if (count < 0 || count > 50_000_000) return null;
            var records = new List<MessageRecord>(count);
            for (var i = 0; i < count; i++)
            {
                var uid = reader.ReadUInt32();
                var recordModSeq = reader.ReadUInt64();
                var flags = (MessageFlags)reader.ReadByte();
                var recordKeywords = reader.ReadUInt32();
                var passed = reader.ReadBoolean();
                var size = reader.ReadInt64();
                var internalDate = reader.ReadInt64();
                var savedAt = reader.ReadInt64();
                var sentDate = reader.ReadInt64();
                var fileName = reader.ReadString();
                var record = new MessageRecord
                {
                    Uid = uid, FileName = fileName, Size = size, InternalDate = internalDate, SavedAt = savedAt,
                    Flags = flags, Keywords = recordKeywords, Passed = passed, ModSeq = recordModSeq, SentDate = sentDate,
                    Envelope = ReadBlob(reader), BodyStructure = ReadBlob(reader), Body = ReadBlob(reader),
                };
                if (reader.ReadBoolean()) record.SearchHeaders = reader.ReadString();
                if (records.Count > 0 && records[^1].Uid >= uid) return null;
                records.Add(record);
            }

            if (!reader.ReadBytes(8).AsSpan().SequenceEqual(Trailer)) return null;
            return new Contents(uidValidity, uidNext, modSeq, keywords, records);
        }
        catch (Exception e) when (e is IOException or EndOfStreamException or UnauthorizedAccessException or DecoderFallbackException or FormatException)
        {
            return null;
        }
    }

    public static void Write(string path, Contents contents)
    {
        var temporary = path + "." + Environment.ProcessId + ".tmp";
        using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16))
        using (var writer = new BinaryWriter(stream, Encoding.UTF8))
        {
            writer.Write(Magic);
            writer.Write(Version);
            writer.Write(contents.UidValidity);
            writer.Write(contents.UidNext);
            writer.Write(contents.HighestModSeq);
            writer.Write(contents.Keywords.Count);
            foreach (var keyword in contents.Keywords) writer.Write(keyword);
            writer.Write(contents.Records.Count);
            foreach (var r in contents.Records)
            {
                writer.Write(r.Uid);
                writer.Write(r.ModSeq);
                writer.Write((byte)r.Flags);
                writer.Write(r.Keywords);
                writer.Write(r.Passed);
                writer.Write(r.Size);
                writer.Write(r.InternalDate);
                writer.Write(r.SavedAt);
                writer.Write(r.SentDate);
                writer.Write(r.FileName);
                WriteBlob(writer, r.Envelope);
                WriteBlob(writer, r.BodyStructure);
                WriteBlob(writer, r.Body);
                writer.Write(r.SearchHeaders is not null);
                if (r.SearchHeaders is not null) writer.Write(r.SearchHeaders);
            }

            writer.Write(Trailer);
        }

        File.Move(temporary, path, overwrite: true);
    }

    private static byte[]? ReadBlob(BinaryReader reader)
    {
        var length = reader.ReadInt32();
        if (length < 0) return null;
        if (length > 1 << 24) throw new FormatException("Cached value too large");
        var bytes = reader.ReadBytes(length);
        return bytes.Length == length ? bytes : throw new EndOfStreamException();
    }

    private static void WriteBlob(BinaryWriter writer, byte[]? blob)
    {
        writer.Write(blob?.Length ?? -1);
        if (blob is not null) writer.Write(blob);
    }
}
