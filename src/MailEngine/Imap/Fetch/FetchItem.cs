using System.Globalization;
using System.Text;
using MailEngine.Store;
using MailEngine.Imap.Protocol;

namespace MailEngine.Imap.Fetch;

public enum FetchKind
{
    Uid,
    Flags,
    InternalDate,
    Size,
    Envelope,
    Body,
    BodyStructure,
    Section,
    Rfc822,
    Rfc822Header,
    Rfc822Text,
    ModSeq,
}

/// <summary>
/// One fetch attribute (RFC 3501 6.4.5). A section ("BODY[1.2.MIME]&lt;0.100&gt;") carries its part
/// path, its specifier, the header field names, the partial range and whether it is a PEEK.
/// </summary>
public sealed class FetchItem
{
    public FetchKind Kind { get; private init; }
    public int[] Path { get; private init; } = [];
    public string? Specifier { get; private init; }
    public string[] Fields { get; private init; } = [];
    public long? PartialStart { get; private init; }
    public long? PartialCount { get; private init; }
    public bool Peek { get; private init; }

    /// <summary>Whether answering it needs the message's octets (else the index suffices).</summary>
    public bool NeedsContent => Kind is FetchKind.Section or FetchKind.Rfc822 or FetchKind.Rfc822Header or FetchKind.Rfc822Text;

    /// <summary>Whether fetching it sets \Seen (RFC 3501 6.4.5: BODY[...] and RFC822, not PEEK, not RFC822.HEADER).</summary>
    public bool SetsSeen => (Kind == FetchKind.Section && !Peek) || Kind is FetchKind.Rfc822 or FetchKind.Rfc822Text;

    /// <summary>Parses the attribute list of FETCH: a macro, one attribute, or a parenthesized list.</summary>
    public static List<FetchItem> ParseList(ImapValue value)
    {
        var items = new List<FetchItem>();
        if (value.Kind == ImapValueKind.Atom)
        {
            switch (value.Text.ToUpperInvariant())
            {
                case "ALL":
                    return [Simple(FetchKind.Flags), Simple(FetchKind.InternalDate), Simple(FetchKind.Size), Simple(FetchKind.Envelope)];
                case "FAST":
                    return [Simple(FetchKind.Flags), Simple(FetchKind.InternalDate), Simple(FetchKind.Size)];
                case "FULL":
                    return [Simple(FetchKind.Flags), Simple(FetchKind.InternalDate), Simple(FetchKind.Size), Simple(FetchKind.Envelope), Simple(FetchKind.Body)];
                default:
                    items.Add(Parse(value.Text));
                    return items;
            }
        }

        if (!value.IsList || value.Items.Count == 0) throw ImapCommandException.Syntax("Invalid fetch attributes");
        foreach (var item in value.Items)
        {
            if (item.Kind != ImapValueKind.Atom) throw ImapCommandException.Syntax($"Invalid fetch attribute {item}");
            items.Add(Parse(item.Text));
        }

        return items;
    }

    private static FetchItem Simple(FetchKind kind) => new() { Kind = kind };

    public static FetchItem Parse(string text)
    {
        var upper = text.ToUpperInvariant();
        switch (upper)
        {
            case "UID": return Simple(FetchKind.Uid);
            case "FLAGS": return Simple(FetchKind.Flags);
            case "INTERNALDATE": return Simple(FetchKind.InternalDate);
            case "RFC822.SIZE": return Simple(FetchKind.Size);
            case "ENVELOPE": return Simple(FetchKind.Envelope);
            case "BODY": return Simple(FetchKind.Body);
            case "BODYSTRUCTURE": return Simple(FetchKind.BodyStructure);
            case "RFC822": return Simple(FetchKind.Rfc822);
            case "RFC822.HEADER": return Simple(FetchKind.Rfc822Header);
            case "RFC822.TEXT": return Simple(FetchKind.Rfc822Text);
            case "MODSEQ": return Simple(FetchKind.ModSeq);
        }

        var peek = upper.StartsWith("BODY.PEEK[", StringComparison.Ordinal);
        if (!peek && !upper.StartsWith("BODY[", StringComparison.Ordinal)) throw ImapCommandException.Syntax($"Unknown fetch attribute {text}");
        var open = upper.IndexOf('[');
        var close = upper.LastIndexOf(']');
        if (close < open) throw ImapCommandException.Syntax($"Invalid section in {text}");
        var section = text[(open + 1)..close];
        var tail = text[(close + 1)..];
        long? partialStart = null, partialCount = null;
        if (tail.Length > 0)
        {
            // <origin.count> (RFC 3501 6.4.5); the count is required in a request.
            if (tail[0] != '<' || tail[^1] != '>') throw ImapCommandException.Syntax($"Invalid partial in {text}");
            var parts = tail[1..^1].Split('.');
            if (parts.Length != 2 || !long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var s) ||
                !long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var c) || c == 0)
                throw ImapCommandException.Syntax($"Invalid partial in {text}");
            partialStart = s;
            partialCount = c;
        }

        var (path, specifier, fields) = ParseSection(section);
        return new FetchItem { Kind = FetchKind.Section, Path = path, Specifier = specifier, Fields = fields, PartialStart = partialStart, PartialCount = partialCount, Peek = peek };
    }

    private static (int[] Path, string? Specifier, string[] Fields) ParseSection(string section)
    {
        var path = new List<int>();
        var rest = section;
        while (rest.Length > 0 && char.IsAsciiDigit(rest[0]))
        {
            var dot = rest.IndexOf('.');
            var number = dot < 0 ? rest : rest[..dot];
            if (!int.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n == 0) throw ImapCommandException.Syntax($"Invalid section part {number}");
            path.Add(n);
            rest = dot < 0 ? string.Empty : rest[(dot + 1)..];
        }

        if (rest.Length == 0) return ([.. path], null, []);
        var space = rest.IndexOf(' ');
        var specifier = (space < 0 ? rest : rest[..space]).ToUpperInvariant();
        switch (specifier)
        {
            case "HEADER" or "TEXT" when space < 0:
                return ([.. path], specifier, []);
            case "MIME" when space < 0 && path.Count > 0:
                return ([.. path], specifier, []);
            case "HEADER.FIELDS" or "HEADER.FIELDS.NOT" when space > 0:
                var list = rest[(space + 1)..].Trim();
                if (list.Length < 2 || list[0] != '(' || list[^1] != ')') throw ImapCommandException.Syntax("Header field list must be parenthesized");
                var names = list[1..^1].Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(n => n.Trim('"')).ToArray();
                if (names.Length == 0) throw ImapCommandException.Syntax("Empty header field list");
                return ([.. path], specifier, names);
            default:
                throw ImapCommandException.Syntax($"Invalid section specifier {specifier}");
        }
    }

    /// <summary>The name the response uses: BODY[section]&lt;origin&gt; (RFC 3501 7.4.2).</summary>
    public string ResponseName()
    {
        var builder = new StringBuilder("BODY[");
        builder.AppendJoin('.', Path);
        if (Specifier is not null)
        {
            if (Path.Length > 0) builder.Append('.');
            builder.Append(Specifier);
            if (Fields.Length > 0) builder.Append(" (").AppendJoin(' ', Fields.Select(f => f.ToUpperInvariant())).Append(')');
        }

        builder.Append(']');
        if (PartialStart is { } start) builder.Append('<').Append(start.ToString(CultureInfo.InvariantCulture)).Append('>');
        return builder.ToString();
    }

    /// <summary>The octets a section names, before the partial range is applied; empty when the part does not exist.</summary>
    public ReadOnlyMemory<byte> Extract(byte[] message, MimeNode root)
    {
        var node = root;
        var isMessage = true; // the top level is a message: HEADER/TEXT apply to it
        foreach (var n in Path)
        {
            if (node.IsMessage && node.Message is { } inner && node != root) node = inner;
            if (node.IsMultipart && node.Parts.Count > 0)
            {
                if (n > node.Parts.Count) return ReadOnlyMemory<byte>.Empty;
                node = node.Parts[n - 1];
            }
            else if (n != 1)
            {
                return ReadOnlyMemory<byte>.Empty;
            }

            isMessage = false;
        }

        switch (Specifier)
        {
            case null:
                if (Path.Length == 0) return message;
                return message.AsMemory(node.BodyStart, node.End - node.BodyStart);
            case "MIME":
                return message.AsMemory(node.HeaderStart, node.BodyStart - node.HeaderStart);
        }

        // HEADER and TEXT of a part are those of the message it holds (RFC 3501 6.4.5).
        var target = isMessage ? node : node.Message;
        if (target is null) return ReadOnlyMemory<byte>.Empty;
        return Specifier switch
        {
            "HEADER" => message.AsMemory(target.HeaderStart, target.BodyStart - target.HeaderStart),
            "TEXT" => message.AsMemory(target.BodyStart, target.End - target.BodyStart),
            _ => FilterFields(message, target, Specifier == "HEADER.FIELDS"),
        };
    }

    private byte[] FilterFields(ReadOnlySpan<byte> message, MimeNode node, bool include)
    {
        var output = new List<byte>();
        foreach (var field in node.Fields)
        {
            var listed = Fields.Any(f => f.Equals(field.Name, StringComparison.OrdinalIgnoreCase));
            if (listed == include) output.AddRange(message[field.Start..field.End]);
        }

        // The header ends with the blank line (RFC 3501: the field list's result includes it).
        output.Add((byte)'\r');
        output.Add((byte)'\n');
        return [.. output];
    }
}
