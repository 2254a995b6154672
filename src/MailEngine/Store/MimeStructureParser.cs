using System.Text;

namespace MailEngine.Store;

/// <summary>
/// Finds the MIME structure of a message (RFC 2045, RFC 2046 5.1 for multipart boundaries, 5.2.1 for
/// message/rfc822) without copying its octets. Tolerant as a mail store must be: a missing final
/// boundary ends the part at the end of its parent, a missing blank line means an empty body, bare LF
/// line ends are accepted. Header parameter values are parsed with MimeKit's ContentType rules
/// (RFC 2231 included).
/// </summary>
public static class MimeStructureParser
{
    /// <summary>Deeper nesting is treated as an opaque body: bounds recursion on hostile input.</summary>
    private const int MaxDepth = 50;

    public static MimeNode Parse(ReadOnlySpan<byte> message) => ParseEntity(message, 0, message.Length, "text", "plain", 0);

    private static MimeNode ParseEntity(ReadOnlySpan<byte> data, int start, int end, string defaultType, string defaultSubtype, int depth)
    {
        var fields = new List<HeaderField>();
        var bodyStart = ParseHeader(data, start, end, fields);
        var node = new MimeNode { HeaderStart = start, BodyStart = bodyStart, End = end, Fields = fields, Type = defaultType, Subtype = defaultSubtype };
        var contentType = node.Header(data, "Content-Type");
        if (contentType is not null && MimeKit.ContentType.TryParse(contentType, out var parsed))
        {
            node.Type = parsed.MediaType.ToLowerInvariant();
            node.Subtype = parsed.MediaSubtype.ToLowerInvariant();
            foreach (var parameter in parsed.Parameters) node.Parameters.Add(new(parameter.Name, parameter.Value));
        }
        else if (defaultType == "text")
        {
            node.Parameters.Add(new("charset", "us-ascii"));
        }

        if (depth >= MaxDepth) return node;
        if (node.IsMultipart && node.Parameters.FirstOrDefault(p => p.Key.Equals("boundary", StringComparison.OrdinalIgnoreCase)).Value is { Length: > 0 } boundary)
        {
            var digest = node.Subtype == "digest";
            foreach (var (partStart, partEnd) in SplitParts(data, bodyStart, end, Encoding.UTF8.GetBytes("--" + boundary)))
                node.Parts.Add(ParseEntity(data, partStart, partEnd, digest ? "message" : "text", digest ? "rfc822" : "plain", depth + 1));
        }
        else if (node.IsMessage)
        {
            node.Message = ParseEntity(data, bodyStart, end, "text", "plain", depth + 1);
        }

        return node;
    }

    /// <summary>Reads header fields from <paramref name="start"/>; returns where the body starts (after the blank line).</summary>
    private static int ParseHeader(ReadOnlySpan<byte> data, int start, int end, List<HeaderField> fields)
    {
        var i = start;
        while (i < end)
        {
            var lineEnd = LineEnd(data, i, end);
            var line = data[i..lineEnd];
            if (line.Length == 0 || (line.Length == 1 && line[0] == '\r') || line.SequenceEqual("\r\n"u8) || line.SequenceEqual("\n"u8))
                return Math.Min(lineEnd, end); // the blank line belongs to the header
            var colon = line.IndexOf((byte)':');
            // A field continues over lines that start with white space (folding).
            var fieldEnd = lineEnd;
            while (fieldEnd < end && data[fieldEnd] is (byte)' ' or (byte)'\t') fieldEnd = LineEnd(data, fieldEnd, end);
            if (colon > 0)
            {
                var name = Encoding.ASCII.GetString(line[..colon]).TrimEnd();
                fields.Add(new HeaderField(name, i, fieldEnd, i + colon + 1));
            }

            i = fieldEnd;
        }

        return end;
    }

    /// <summary>The index after the next LF (or <paramref name="end"/>).</summary>
    private static int LineEnd(ReadOnlySpan<byte> data, int from, int end)
    {
        var lf = data[from..end].IndexOf((byte)'\n');
        return lf < 0 ? end : from + lf + 1;
    }

    /// <summary>
    /// The parts between boundary lines (RFC 2046 5.1.1): the CRLF before a delimiter belongs to the
    /// delimiter, the preamble and epilogue are dropped.
    /// </summary>
    private static List<(int Start, int End)> SplitParts(ReadOnlySpan<byte> data, int bodyStart, int end, byte[] delimiter)
    {
        var parts = new List<(int, int)>();
        int? partStart = null;
        var i = bodyStart;
        while (i < end)
        {
            var lineEnd = LineEnd(data, i, end);
            var line = data[i..lineEnd];
            if (line.StartsWith(delimiter))
            {
                var rest = line[delimiter.Length..];
                var closing = rest.StartsWith("--"u8);
                if (closing) rest = rest[2..];
                if (IsWhiteSpaceLine(rest))
                {
                    if (partStart is { } s)
                    {
                        var partEnd = i;
                        if (partEnd > s && data[partEnd - 1] == '\n') partEnd--;
                        if (partEnd > s && data[partEnd - 1] == '\r') partEnd--;
                        parts.Add((s, Math.Max(s, partEnd)));
                    }

                    if (closing) return parts;
                    partStart = lineEnd;
                }
            }

            i = lineEnd;
        }

        if (partStart is { } last && last <= end) parts.Add((last, end));
        return parts;
    }

    private static bool IsWhiteSpaceLine(ReadOnlySpan<byte> rest)
    {
        foreach (var b in rest)
            if (b is not ((byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')) return false;
        return true;
    }

    /// <summary>Text lines in a range (RFC 3501 7.4.2 body-fld-lines).</summary>
    public static int CountLines(ReadOnlySpan<byte> data)
    {
        if (data.Length == 0) return 0;
        var lines = data.Count((byte)'\n');
        return data[^1] == '\n' ? lines : lines + 1;
    }
}
