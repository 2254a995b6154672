using System.Text;
using MimeKit.Encodings;

namespace MailEngine.Store;

/// <summary>
/// The text SEARCH BODY and TEXT look in (RFC 3501 6.4.4): every text/* part, its transfer
/// encoding undone (base64, quoted-printable) and its charset decoded, found through the structure
/// parser without building a document tree, so attachments are skipped without being copied.
/// </summary>
public static class MessageText
{
    static MessageText() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    public static string Body(ReadOnlySpan<byte> message, MimeNode root)
    {
        var builder = new StringBuilder();
        Append(builder, message, root, 0);
        return builder.ToString();
    }

    /// <summary>The header's text with folding removed and encoded words decoded.</summary>
    public static string Header(ReadOnlySpan<byte> message, MimeNode root)
    {
        var builder = new StringBuilder();
        foreach (var field in root.Fields)
        {
            builder.Append(field.Name).Append(": ").Append(DecodeHeader(MimeNode.Value(message, field))).Append('\n');
        }

        return builder.ToString();
    }

    /// <summary>A header value with its encoded words (RFC 2047) decoded; as written when it has none or they are broken.</summary>
    public static string DecodeHeader(string value)
    {
        if (!value.Contains("=?", StringComparison.Ordinal)) return value;
        try
        {
            return MimeKit.Utils.Rfc2047.DecodeText(Encoding.UTF8.GetBytes(value));
        }
        catch (Exception e) when (e is ArgumentException or FormatException)
        {
            return value;
        }
    }

    private static void Append(StringBuilder builder, ReadOnlySpan<byte> message, MimeNode node, int depth)
    {
        if (depth > 20) return;
        if (node.IsMultipart)
        {
            foreach (var part in node.Parts) Append(builder, message, part, depth + 1);
            return;
        }

        if (node.IsMessage && node.Message is { } inner)
        {
            Append(builder, message, inner, depth + 1);
            return;
        }

        if (node.Type != "text") return;
        var raw = message[node.BodyStart..node.End];
        var encoding = node.Header(message, "Content-Transfer-Encoding")?.Trim().ToLowerInvariant();
        byte[]? decoded = encoding switch
        {
            "base64" => Decode(new Base64Decoder(), raw),
            "quoted-printable" => Decode(new QuotedPrintableDecoder(), raw),
            _ => null,
        };
        var charset = node.Parameters.FirstOrDefault(p => p.Key.Equals("charset", StringComparison.OrdinalIgnoreCase)).Value;
        builder.Append(TextEncoding(charset).GetString(decoded ?? raw)).Append('\n');
    }

    private static byte[] Decode(IMimeDecoder decoder, ReadOnlySpan<byte> input)
    {
        var source = input.ToArray();
        var output = new byte[decoder.EstimateOutputLength(source.Length)];
        var length = decoder.Decode(source, 0, source.Length, output);
        return output[..length];
    }

    private static Encoding TextEncoding(string? charset)
    {
        if (string.IsNullOrWhiteSpace(charset)) return Encoding.UTF8;
        try
        {
            return Encoding.GetEncoding(charset.Trim());
        }
        catch (ArgumentException)
        {
            return Encoding.UTF8;
        }
    }
}
