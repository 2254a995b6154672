using System.Globalization;

namespace MailEngine.Imap.Protocol;

/// <summary>The search keys of RFC 3501 6.4.4 (and MODSEQ of RFC 7162 3.1.5).</summary>
public enum SearchOp
{
    All, And, Or, Not, Sequence, Uid,
    Answered, Deleted, Draft, Flagged, Seen, Recent, New, Old,
    Keyword,
    Before, On, Since, SentBefore, SentOn, SentSince,
    Larger, Smaller,
    From, To, Cc, Bcc, Subject, Header, Body, Text,
    ModSeq,
}

/// <summary>One node of a parsed SEARCH program.</summary>
public sealed record SearchKey(SearchOp Op, IReadOnlyList<SearchKey>? Children = null, string? Text = null, string? Field = null,
    DateOnly Date = default, long Number = 0, SequenceSet? Set = null)
{
    /// <summary>
    /// Parses the whole criteria list (an implicit AND), after an optional "CHARSET x" which must be
    /// UTF-8 or US-ASCII (else [BADCHARSET], RFC 3501 6.4.4).
    /// </summary>
    public static SearchKey Parse(ImapArguments args)
    {
        if (args.TryKeyword("CHARSET"))
        {
            var charset = args.AString("charset");
            if (!charset.Equals("UTF-8", StringComparison.OrdinalIgnoreCase) && !charset.Equals("US-ASCII", StringComparison.OrdinalIgnoreCase))
                throw ImapCommandException.Refused("Unsupported charset", "BADCHARSET (UTF-8 US-ASCII)");
        }

        var keys = new List<SearchKey>();
        while (!args.AtEnd) keys.Add(ParseOne(args, 0));
        if (keys.Count == 0) throw ImapCommandException.Syntax("SEARCH needs criteria");
        return keys.Count == 1 ? keys[0] : new SearchKey(SearchOp.And, keys);
    }

    private const int MaxDepth = 64;

    private static SearchKey ParseOne(ImapArguments args, int depth)
    {
        if (depth > MaxDepth) throw ImapCommandException.Syntax("Search criteria nested too deeply");
        var value = args.Next("search key");
        if (value.IsList)
        {
            var inner = new ImapArguments(value.Items);
            var keys = new List<SearchKey>();
            while (!inner.AtEnd) keys.Add(ParseOne(inner, depth + 1));
            if (keys.Count == 0) throw ImapCommandException.Syntax("Empty parenthesized search key");
            return keys.Count == 1 ? keys[0] : new SearchKey(SearchOp.And, keys);
        }

        if (value.Kind != ImapValueKind.Atom) throw ImapCommandException.Syntax($"Invalid search key {value}");
        var word = value.Text.ToUpperInvariant();
        switch (word)
        {
            case "ALL": return new(SearchOp.All);
            case "ANSWERED": return new(SearchOp.Answered);
            case "DELETED": return new(SearchOp.Deleted);
            case "DRAFT": return new(SearchOp.Draft);
            case "FLAGGED": return new(SearchOp.Flagged);
            case "SEEN": return new(SearchOp.Seen);
            case "RECENT": return new(SearchOp.Recent);
            case "NEW": return new(SearchOp.New);
            case "OLD": return new(SearchOp.Old);
            case "UNANSWERED": return Not(new(SearchOp.Answered));
            case "UNDELETED": return Not(new(SearchOp.Deleted));
            case "UNDRAFT": return Not(new(SearchOp.Draft));
            case "UNFLAGGED": return Not(new(SearchOp.Flagged));
            case "UNSEEN": return Not(new(SearchOp.Seen));
            case "KEYWORD": return new(SearchOp.Keyword, Text: args.Atom("keyword"));
            case "UNKEYWORD": return Not(new(SearchOp.Keyword, Text: args.Atom("keyword")));
            case "BEFORE": return new(SearchOp.Before, Date: ParseDate(args));
            case "ON": return new(SearchOp.On, Date: ParseDate(args));
            case "SINCE": return new(SearchOp.Since, Date: ParseDate(args));
            case "SENTBEFORE": return new(SearchOp.SentBefore, Date: ParseDate(args));
            case "SENTON": return new(SearchOp.SentOn, Date: ParseDate(args));
            case "SENTSINCE": return new(SearchOp.SentSince, Date: ParseDate(args));
            case "LARGER": return new(SearchOp.Larger, Number: args.Number("size"));
            case "SMALLER": return new(SearchOp.Smaller, Number: args.Number("size"));
            case "FROM": return new(SearchOp.From, Text: args.AString("text"));
            case "TO": return new(SearchOp.To, Text: args.AString("text"));
            case "CC": return new(SearchOp.Cc, Text: args.AString("text"));
            case "BCC": return new(SearchOp.Bcc, Text: args.AString("text"));
            case "SUBJECT": return new(SearchOp.Subject, Text: args.AString("text"));
            case "BODY": return new(SearchOp.Body, Text: args.AString("text"));
            case "TEXT": return new(SearchOp.Text, Text: args.AString("text"));
            case "HEADER": return new(SearchOp.Header, Field: args.AString("header field"), Text: args.AString("text"));
            case "UID": return new(SearchOp.Uid, Set: SequenceSet.Parse(args.Atom("UID set")));
            case "NOT": return Not(ParseOne(args, depth + 1));
            case "OR": return new(SearchOp.Or, [ParseOne(args, depth + 1), ParseOne(args, depth + 1)]);
            case "MODSEQ":
                // MODSEQ [entry-name entry-type-req] mod-sequence-valzer (RFC 7162 3.1.5); the entry is accepted and ignored.
                if (args.Peek is { IsString: true })
                {
                    args.Next("entry name");
                    args.Atom("entry type");
                }

                return ulong.TryParse(args.Atom("mod-sequence"), NumberStyles.None, CultureInfo.InvariantCulture, out var modSeq)
                    ? new(SearchOp.ModSeq, Number: (long)modSeq)
                    : throw ImapCommandException.Syntax("Invalid mod-sequence");
        }

        if (SequenceSet.TryParse(value.Text, out var set)) return new(SearchOp.Sequence, Set: set);
        throw ImapCommandException.Syntax($"Unknown search key {value.Text}");
    }

    private static SearchKey Not(SearchKey key) => new(SearchOp.Not, [key]);

    /// <summary>date (RFC 3501 9): "d-Mon-yyyy", quoted or not.</summary>
    private static DateOnly ParseDate(ImapArguments args)
    {
        var text = args.AString("date");
        return DateOnly.TryParseExact(text, ["d-MMM-yyyy", "dd-MMM-yyyy"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)
            ? date
            : throw ImapCommandException.Syntax($"Invalid date {text}");
    }

    /// <summary>Whether evaluating this needs the message's octets (header fields outside the cache, body text).</summary>
    public bool NeedsContent => Op is SearchOp.Header or SearchOp.Body or SearchOp.Text || (Children?.Any(c => c.NeedsContent) ?? false);

    /// <summary>Whether it needs the cached header fields (filled from the octets when missing).</summary>
    public bool NeedsCache => Op is SearchOp.From or SearchOp.To or SearchOp.Cc or SearchOp.Bcc or SearchOp.Subject or SearchOp.SentBefore or SearchOp.SentOn or SearchOp.SentSince
        || (Children?.Any(c => c.NeedsCache) ?? false);

    public bool UsesModSeq => Op == SearchOp.ModSeq || (Children?.Any(c => c.UsesModSeq) ?? false);
}
