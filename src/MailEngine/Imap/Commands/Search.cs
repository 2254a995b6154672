using System.Text;
using MailEngine.Imap.Protocol;
using MailEngine.Imap.Store;
using MimeKit;

namespace MailEngine.Imap;

internal sealed partial class ImapSession
{
    /// <summary>
    /// SEARCH and UID SEARCH (RFC 3501 6.4.4): every key, substring matches case-insensitive. From,
    /// To, Cc, Bcc, Subject and the Date come from the folder index; HEADER, BODY and TEXT read the
    /// message (BODY and TEXT look at the decoded text parts, so base64 and quoted-printable match).
    /// </summary>
    private async ValueTask SearchAsync(ImapCommand command, ImapArguments args, CancellationToken ct)
    {
        if (args.TryKeyword("RETURN")) throw ImapCommandException.Syntax("ESEARCH is not offered");
        var key = SearchKey.Parse(args);
        args.End();
        var folder = _folder!;
        var messages = folder.Messages();
        var byUid = new Dictionary<uint, MessageRecord>(messages.Length);
        foreach (var m in messages) byUid[m.Uid] = m;
        var keywords = folder.Keywords();
        var context = new SearchContext(this, folder, keywords, (uint)_uids.Count, _uids.Count > 0 ? _uids[^1] : 0);
        var cacheFilled = false;

        var hits = new List<uint>();
        ulong highest = 0;
        for (var i = 0; i < _uids.Count; i++)
        {
            if (!byUid.TryGetValue(_uids[i], out var record)) continue;
            byte[]? content = null;
            if (key.NeedsCache && !record.HasCache)
            {
                content = folder.Read(record);
                if (content is null) continue;
                MailFolder.FillCache(record, content);
                cacheFilled = true;
            }

            var message = new SearchMessage(record, (uint)i + 1, content);
            if (!context.Matches(key, message)) continue;
            hits.Add(command.Uid ? record.Uid : (uint)i + 1);
            if (record.ModSeq > highest) highest = record.ModSeq;
            if ((i & 1023) == 0) ct.ThrowIfCancellationRequested();
        }

        if (cacheFilled) folder.MarkDirty();
        _writer.Append("* SEARCH");
        foreach (var hit in hits) _writer.Append(' ').Append(hit);
        // RFC 7162 3.1.5: a search with MODSEQ reports the highest mod-sequence of the matches.
        if (key.UsesModSeq && hits.Count > 0) _writer.Append(" (MODSEQ ").Append((long)highest).Append(')');
        _writer.Append("\r\n");
        await CompleteAsync(command, "SEARCH completed", ct, allowExpunge: command.Uid);
    }

    private sealed class SearchMessage(MessageRecord record, uint sequence, byte[]? content)
    {
        public MessageRecord Record { get; } = record;
        public uint Sequence { get; } = sequence;
        public byte[]? Content { get; set; } = content;
        public MimeMessage? Parsed { get; set; }
        public string? BodyText { get; set; }
    }

    private sealed class SearchContext(ImapSession session, MailFolder folder, IReadOnlyList<string> keywords, uint count, uint largestUid)
    {
        public bool Matches(SearchKey key, SearchMessage m)
        {
            var r = m.Record;
            switch (key.Op)
            {
                case SearchOp.All: return true;
                case SearchOp.And: return key.Children!.All(c => Matches(c, m));
                case SearchOp.Or: return Matches(key.Children![0], m) || Matches(key.Children[1], m);
                case SearchOp.Not: return !Matches(key.Children![0], m);
                case SearchOp.Sequence: return key.Set!.Contains(m.Sequence, count);
                case SearchOp.Uid: return key.Set!.Contains(r.Uid, largestUid);
                case SearchOp.Answered: return r.Flags.HasFlag(MessageFlags.Answered);
                case SearchOp.Deleted: return r.Flags.HasFlag(MessageFlags.Deleted);
                case SearchOp.Draft: return r.Flags.HasFlag(MessageFlags.Draft);
                case SearchOp.Flagged: return r.Flags.HasFlag(MessageFlags.Flagged);
                case SearchOp.Seen: return r.Flags.HasFlag(MessageFlags.Seen);
                case SearchOp.Recent: return r.Uid >= session._recentFrom;
                case SearchOp.New: return r.Uid >= session._recentFrom && !r.Flags.HasFlag(MessageFlags.Seen);
                case SearchOp.Old: return r.Uid < session._recentFrom;
                case SearchOp.Keyword:
                    if (key.Text!.Equals("$Forwarded", StringComparison.OrdinalIgnoreCase)) return r.Passed;
                    for (var k = 0; k < keywords.Count; k++)
                        if (keywords[k].Equals(key.Text, StringComparison.OrdinalIgnoreCase)) return (r.Keywords & (1u << k)) != 0;
                    return false;
                case SearchOp.Before: return InternalDay(r) < key.Date;
                case SearchOp.On: return InternalDay(r) == key.Date;
                case SearchOp.Since: return InternalDay(r) >= key.Date;
                case SearchOp.SentBefore: return SentDay(r) is { } b && b < key.Date;
                case SearchOp.SentOn: return SentDay(r) is { } o && o == key.Date;
                case SearchOp.SentSince: return SentDay(r) is { } s && s >= key.Date;
                case SearchOp.Larger: return r.Size > key.Number;
                case SearchOp.Smaller: return r.Size < key.Number;
                case SearchOp.From: return CachedHeader(r, 0).Contains(key.Text!, StringComparison.OrdinalIgnoreCase);
                case SearchOp.To: return CachedHeader(r, 1).Contains(key.Text!, StringComparison.OrdinalIgnoreCase);
                case SearchOp.Cc: return CachedHeader(r, 2).Contains(key.Text!, StringComparison.OrdinalIgnoreCase);
                case SearchOp.Bcc: return CachedHeader(r, 3).Contains(key.Text!, StringComparison.OrdinalIgnoreCase);
                case SearchOp.Subject: return CachedHeader(r, 4).Contains(key.Text!, StringComparison.OrdinalIgnoreCase);
                case SearchOp.ModSeq: return r.ModSeq >= (ulong)key.Number;
                case SearchOp.Header:
                    if (Parsed(m) is not { } headerMessage) return false;
                    // RFC 3501: HEADER name "" matches every message that has the field.
                    return headerMessage.Headers.Where(h => h.Field.Equals(key.Field, StringComparison.OrdinalIgnoreCase))
                        .Any(h => h.Value.Contains(key.Text!, StringComparison.OrdinalIgnoreCase));
                case SearchOp.Body:
                    return BodyText(m).Contains(key.Text!, StringComparison.OrdinalIgnoreCase);
                case SearchOp.Text:
                    return Parsed(m) is { } textMessage &&
                        (textMessage.Headers.Any(h => h.Value.Contains(key.Text!, StringComparison.OrdinalIgnoreCase)) || BodyText(m).Contains(key.Text!, StringComparison.OrdinalIgnoreCase));
                default:
                    return false;
            }
        }

        private static DateOnly InternalDay(MessageRecord r) => DateOnly.FromDateTime(DateTimeOffset.FromUnixTimeMilliseconds(r.InternalDate).UtcDateTime);

        private static DateOnly? SentDay(MessageRecord r) =>
            r.SentDate == long.MinValue ? null : DateOnly.FromDateTime(DateTimeOffset.FromUnixTimeMilliseconds(r.SentDate).UtcDateTime);

        private static string CachedHeader(MessageRecord r, int index)
        {
            var text = r.SearchHeaders ?? string.Empty;
            var start = 0;
            for (var i = 0; i < index; i++)
            {
                start = text.IndexOf('\n', start) + 1;
                if (start == 0) return string.Empty;
            }

            var end = text.IndexOf('\n', start);
            return end < 0 ? text[start..] : text[start..end];
        }

        private MimeMessage? Parsed(SearchMessage m)
        {
            if (m.Parsed is not null) return m.Parsed;
            m.Content ??= folder.Read(m.Record);
            if (m.Content is null) return null;
            using var stream = new MemoryStream(m.Content, writable: false);
            try
            {
                m.Parsed = MimeMessage.Load(stream);
            }
            catch (FormatException)
            {
                return null;
            }

            return m.Parsed;
        }

        private string BodyText(SearchMessage m)
        {
            if (m.BodyText is not null) return m.BodyText;
            var builder = new StringBuilder();
            if (Parsed(m) is { } message)
            {
                foreach (var part in message.BodyParts.OfType<TextPart>())
                {
                    try
                    {
                        builder.Append(part.Text).Append('\n');
                    }
                    catch (Exception e) when (e is ArgumentException or NotSupportedException)
                    {
                    }
                }
            }

            return m.BodyText = builder.ToString();
        }
    }
}
