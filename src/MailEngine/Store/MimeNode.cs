using System.Text;

namespace MailEngine.Store;

/// <summary>One header field as it stands in the message: its name and the raw range of the whole field (with folding and CRLF).</summary>
public readonly record struct HeaderField(string Name, int Start, int End, int ValueStart);

/// <summary>
/// The MIME structure of a message or part, as offsets into the message's octets: where its header
/// starts, where its body starts, where it ends. FETCH BODY[section] (RFC 3501 6.4.5) cuts from these
/// offsets, BODYSTRUCTURE (7.4.2) is written from them, and nothing is decoded or copied to do so.
/// Parsed by <see cref="MimeStructureParser"/>.
/// </summary>
public sealed class MimeNode
{
    public int HeaderStart { get; init; }
    public int BodyStart { get; init; }
    public int End { get; init; }
    public required List<HeaderField> Fields { get; init; }

    public string Type { get; set; } = "text";
    public string Subtype { get; set; } = "plain";
    public List<KeyValuePair<string, string>> Parameters { get; } = [];

    public List<MimeNode> Parts { get; } = [];

    /// <summary>The message a message/rfc822 part holds (RFC 2046 5.2.1).</summary>
    public MimeNode? Message { get; set; }

    public bool IsMultipart => Type == "multipart";
    public bool IsMessage => Type == "message" && (Subtype is "rfc822" or "global");
    public int BodyLength => End - BodyStart;

    /// <summary>The unfolded value of the first field of that name, or null.</summary>
    public string? Header(ReadOnlySpan<byte> message, string name)
    {
        foreach (var field in Fields)
            if (field.Name.Equals(name, StringComparison.OrdinalIgnoreCase)) return Value(message, field);
        return null;
    }

    /// <summary>A field's value with folding removed (RFC 5322 2.2.3) and leading/trailing white space trimmed.</summary>
    public static string Value(ReadOnlySpan<byte> message, HeaderField field)
    {
        var raw = message[field.ValueStart..field.End];
        var builder = new StringBuilder(raw.Length);
        var text = Encoding.UTF8.GetString(raw);
        foreach (var c in text)
            if (c is not ('\r' or '\n')) builder.Append(c);
        return builder.ToString().Trim(' ', '\t');
    }
}
