using MailEngine.Imap.Fetch;
using MailEngine.Store;
using MailEngine.Imap.Protocol;

namespace MailEngine.Imap;

internal sealed partial class ImapSession
{
    /// <summary>
    /// FETCH (RFC 3501 6.4.5) and UID FETCH: FLAGS, INTERNALDATE, RFC822.SIZE, ENVELOPE, BODY,
    /// BODYSTRUCTURE, BODY[section]&lt;partial&gt;, BODY.PEEK, RFC822*, UID, MODSEQ and CHANGEDSINCE
    /// (RFC 7162). Envelopes and structures come from the folder index; a message is read from disk
    /// only when its octets are asked for or it has not been indexed yet (then it is, for next time).
    /// </summary>
    private async ValueTask FetchAsync(ImapCommand command, ImapArguments args, CancellationToken ct)
    {
        var set = SequenceSet.Parse(args.Atom("sequence set"));
        var items = FetchItem.ParseList(args.Next("fetch attributes"));
        ulong? changedSince = null;
        if (args.Peek is { IsList: true })
        {
            var modifiers = args.List("fetch modifiers");
            if (modifiers.Count != 2 || !modifiers[0].Text.Equals("CHANGEDSINCE", StringComparison.OrdinalIgnoreCase) || !ulong.TryParse(modifiers[1].Text, out var since))
                throw ImapCommandException.Syntax("Unknown FETCH modifier");
            changedSince = since;
            _condStore = true;
        }

        args.End();
        if (command.Uid && !items.Any(i => i.Kind == FetchKind.Uid)) items.Insert(0, FetchItem.Parse("UID"));
        // RFC 7162 3.1.4.1: CHANGEDSINCE implies MODSEQ in the answer.
        if (changedSince is not null && !items.Any(i => i.Kind == FetchKind.ModSeq)) items.Add(FetchItem.Parse("MODSEQ"));
        if (items.Any(i => i.Kind == FetchKind.ModSeq)) _condStore = true;

        var folder = _folder!;
        var targets = Targets(set, command.Uid);
        var messages = folder.Messages();

        var needsContent = items.Any(i => i.NeedsContent);
        var needsHeader = items.Any(i => i.Kind is FetchKind.Envelope);
        var needsStructure = items.Any(i => i.Kind is FetchKind.Body or FetchKind.BodyStructure);
        var setsSeen = !_readOnly && items.Any(i => i.SetsSeen);
        var keywords = folder.Keywords();
        var cacheFilled = false;

        // Many messages not yet indexed (a folder's first FETCH of envelopes): index them on every core first.
        if (!needsContent && (needsHeader || needsStructure) && targets.Count > 32)
        {
            var records = new List<MessageRecord>(targets.Count);
            foreach (var uid in targets)
                if (MailFolder.Find(messages, uid) is { } found) records.Add(found);
            folder.Prefill(records, needsStructure);
        }

        foreach (var uid in targets)
        {
            if (MailFolder.Find(messages, uid) is not { } record) continue; // expunged by another session (RFC 2180 4.1.2)
            if (changedSince is { } since && record.ModSeq <= since) continue;
            byte[]? content = null;
            if (needsContent || (needsStructure && !record.HasStructureCache))
            {
                content = folder.Read(record);
                if (content is null) continue;
                if (!record.HasStructureCache || !record.HasHeaderCache)
                {
                    MailFolder.FillCache(record, content);
                    cacheFilled = true;
                }
            }
            else if (needsHeader && !record.HasHeaderCache)
            {
                if (folder.ReadHeader(record) is not { } header) continue;
                MailFolder.FillHeaderCache(record, header);
                cacheFilled = true;
            }

            var showFlags = false;
            if (setsSeen && !record.Flags.HasFlag(MessageFlags.Seen))
            {
                // RFC 3501 6.4.5: reading the body sets \Seen, and the new flags are part of the answer.
                folder.Store([uid], FlagChange.Add, MessageFlags.Seen, 0, false, null, []);
                _silentlyChanged.Add(uid);
                showFlags = !items.Any(i => i.Kind == FetchKind.Flags);
            }

            var sequence = _uids.BinarySearch(uid) + 1;
            _writer.Append("* ").Append(sequence).Append(" FETCH (");
            var first = true;
            MimeNode? root = null;
            foreach (var item in items)
            {
                if (!first) _writer.Append(' ');
                first = false;
                switch (item.Kind)
                {
                    case FetchKind.Uid: _writer.Append("UID ").Append(uid); break;
                    case FetchKind.Flags: WriteFlags(record, keywords); break;
                    case FetchKind.InternalDate: _writer.Append("INTERNALDATE \"").Append(FormatDateTime(record.InternalDate)).Append('"'); break;
                    case FetchKind.Size: _writer.Append("RFC822.SIZE ").Append(record.Size); break;
                    case FetchKind.ModSeq: _writer.Append("MODSEQ (").Append((long)record.ModSeq).Append(')'); break;
                    case FetchKind.Envelope: _writer.Append("ENVELOPE ").Append(record.Envelope!); break;
                    case FetchKind.Body: _writer.Append("BODY ").Append(record.Body!); break;
                    case FetchKind.BodyStructure: _writer.Append("BODYSTRUCTURE ").Append(record.BodyStructure!); break;
                    case FetchKind.Rfc822:
                        _writer.Append("RFC822 ");
                        await _writer.LiteralAsync(content!, ct);
                        break;
                    case FetchKind.Rfc822Header:
                        root ??= MimeStructureParser.Parse(content!);
                        _writer.Append("RFC822.HEADER ");
                        await _writer.LiteralAsync(content.AsMemory(root.HeaderStart, root.BodyStart - root.HeaderStart), ct);
                        break;
                    case FetchKind.Rfc822Text:
                        root ??= MimeStructureParser.Parse(content!);
                        _writer.Append("RFC822.TEXT ");
                        await _writer.LiteralAsync(content.AsMemory(root.BodyStart, root.End - root.BodyStart), ct);
                        break;
                    case FetchKind.Section:
                        root ??= MimeStructureParser.Parse(content!);
                        var octets = item.Extract(content!, root);
                        if (item.PartialStart is { } start)
                        {
                            var from = (int)Math.Min(start, octets.Length);
                            var length = (int)Math.Min(item.PartialCount!.Value, octets.Length - from);
                            octets = octets.Slice(from, length);
                        }

                        _writer.Append(item.ResponseName()).Append(' ');
                        await _writer.LiteralAsync(octets, ct);
                        break;
                }
            }

            if (showFlags)
            {
                _writer.Append(' ');
                WriteFlags(record, keywords);
            }

            _writer.Append(")\r\n");
            await _writer.MaybeFlushAsync(ct);
        }

        if (cacheFilled) folder.MarkDirty();
        await CompleteAsync(command, "FETCH completed", ct, allowExpunge: command.Uid);
    }
}
