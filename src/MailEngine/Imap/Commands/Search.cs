using System.Text;
using MailEngine.Store;
using MailEngine.Imap.Protocol;

namespace MailEngine.Imap;

internal sealed partial class ImapSession
{
    /// <summary>
    /// SEARCH and UID SEARCH (RFC 3501 6.4.4): every key, substring matches case-insensitive. From,
    /// To, Cc, Bcc, Subject and the Date come from the folder index; HEADER, BODY and TEXT read the
    /// message (BODY and TEXT look at the decoded text parts (<see cref="MessageText"/>), so base64 and quoted-printable match).
    /// </summary>
    private async ValueTask SearchAsync(ImapCommand command, ImapArguments args, CancellationToken ct)
    {
        if (args.TryKeyword("RETURN")) throw ImapCommandException.Syntax("ESEARCH is not offered");
        var key = SearchKey.Parse(args);
        args.End();
        var folder = _folder!;
        var messages = folder.Messages();
        var keywords = folder.Keywords();
        var context = new SearchContext(this, folder, keywords, (uint)_uids.Count, _uids.Count > 0 ? _uids[^1] : 0);
        // The session's messages, by sequence number (null: expunged by another session, not yet reported).
        var records = new MessageRecord?[_uids.Count];
        for (var i = 0; i < _uids.Count; i++) records[i] = MailFolder.Find(messages, _uids[i]);
        if (key.NeedsCache) folder.Prefill(records.OfType<MessageRecord>().Where(r => !r.HasHeaderCache).ToList(), structure: false);

        // Keys that read messages (BODY, TEXT, HEADER) are evaluated on every core; the rest from the index.
        var matched = new bool[records.Length];
        if (key.NeedsContent)
        {
            var options = new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount, CancellationToken = ct };
            Parallel.For(0, records.Length, options, i => matched[i] = records[i] is { } r && context.Matches(key, new SearchMessage(r, (uint)i + 1, null)));
        }
        else
        {
            for (var i = 0; i < records.Length; i++) matched[i] = records[i] is { } r && context.Matches(key, new SearchMessage(r, (uint)i + 1, null));
        }

        var hits = new List<uint>();
        ulong highest = 0;
        for (var i = 0; i < records.Length; i++)
        {
            if (!matched[i]) continue;
            var record = records[i]!;
            hits.Add(command.Uid ? record.Uid : (uint)i + 1);
            if (record.ModSeq > highest) highest = record.ModSeq;
        }
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
        public MimeNode? Structure { get; set; }
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
                    if (Structure(m) is not { } root) return false;
                    // RFC 3501: HEADER name "" matches every message that has the field.
                    foreach (var field in root.Fields)
                    {
                        if (!field.Name.Equals(key.Field, StringComparison.OrdinalIgnoreCase)) continue;
                        if (MessageText.DecodeHeader(MimeNode.Value(m.Content, field)).Contains(key.Text!, StringComparison.OrdinalIgnoreCase)) return true;
                    }

                    return false;
                case SearchOp.Body:
                    return Structure(m) is { } body && (m.BodyText ??= MessageText.Body(m.Content, body)).Contains(key.Text!, StringComparison.OrdinalIgnoreCase);
                case SearchOp.Text:
                    return Structure(m) is { } text &&
                        (MessageText.Header(m.Content, text).Contains(key.Text!, StringComparison.OrdinalIgnoreCase) ||
                         (m.BodyText ??= MessageText.Body(m.Content, text)).Contains(key.Text!, StringComparison.OrdinalIgnoreCase));
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

        private MimeNode? Structure(SearchMessage m)
        {
            if (m.Structure is not null) return m.Structure;
            m.Content ??= folder.Read(m.Record);
            return m.Content is null ? null : m.Structure = MimeStructureParser.Parse(m.Content);
        }
    }
}
