using MailEngine.Store;
using MailEngine.Imap.Protocol;
using MimeKit;

namespace MailEngine.Imap.Fetch;

/// <summary>
/// BODY and BODYSTRUCTURE (RFC 3501 7.4.2, RFC 9051 7.5.2): the MIME tree with each part's type,
/// parameters, id, description, transfer encoding, size and line count, and for BODYSTRUCTURE the
/// extension data (MD5, disposition, language, location).
/// </summary>
public static class BodyStructureWriter
{
    public static void Write(ImapWriter writer, ReadOnlySpan<byte> message, MimeNode node, bool extensible)
    {
        writer.Append('(');
        if (node.IsMultipart && node.Parts.Count > 0)
        {
            foreach (var part in node.Parts) Write(writer, message, part, extensible);
            writer.Append(' ').String(node.Subtype.ToUpperInvariant());
            if (extensible)
            {
                writer.Append(' ');
                Parameters(writer, node);
                writer.Append(' ');
                Disposition(writer, message, node);
                writer.Append(' ');
                Language(writer, message, node);
                writer.Append(' ').NString(node.Header(message, "Content-Location"));
            }

            writer.Append(')');
            return;
        }

        // A multipart without parts is shown as an opaque body, as other servers do.
        writer.String(node.Type.ToUpperInvariant()).Append(' ').String(node.Subtype.ToUpperInvariant()).Append(' ');
        Parameters(writer, node);
        writer.Append(' ').NString(node.Header(message, "Content-ID"));
        writer.Append(' ').NString(node.Header(message, "Content-Description"));
        writer.Append(' ').String((node.Header(message, "Content-Transfer-Encoding") ?? "7BIT").ToUpperInvariant());
        writer.Append(' ').Append(node.BodyLength);
        if (node.IsMessage && node.Message is { } embedded)
        {
            writer.Append(' ');
            EnvelopeWriter.Write(writer, message, embedded);
            writer.Append(' ');
            Write(writer, message, embedded, extensible);
            writer.Append(' ').Append(MimeStructureParser.CountLines(message[node.BodyStart..node.End]));
        }
        else if (node.Type == "text")
        {
            writer.Append(' ').Append(MimeStructureParser.CountLines(message[node.BodyStart..node.End]));
        }

        if (extensible)
        {
            writer.Append(' ').NString(node.Header(message, "Content-MD5")).Append(' ');
            Disposition(writer, message, node);
            writer.Append(' ');
            Language(writer, message, node);
            writer.Append(' ').NString(node.Header(message, "Content-Location"));
        }

        writer.Append(')');
    }

    private static void Parameters(ImapWriter writer, MimeNode node)
    {
        if (node.Parameters.Count == 0)
        {
            writer.Append("NIL");
            return;
        }

        writer.Append('(');
        for (var i = 0; i < node.Parameters.Count; i++)
        {
            if (i > 0) writer.Append(' ');
            writer.String(node.Parameters[i].Key.ToUpperInvariant()).Append(' ').String(node.Parameters[i].Value);
        }

        writer.Append(')');
    }

    private static void Disposition(ImapWriter writer, ReadOnlySpan<byte> message, MimeNode node)
    {
        if (node.Header(message, "Content-Disposition") is not { } value || !ContentDisposition.TryParse(value, out var disposition))
        {
            writer.Append("NIL");
            return;
        }

        writer.Append('(').String(disposition.Disposition.ToUpperInvariant()).Append(' ');
        if (disposition.Parameters.Count == 0) writer.Append("NIL");
        else
        {
            writer.Append('(');
            var first = true;
            foreach (var parameter in disposition.Parameters)
            {
                if (!first) writer.Append(' ');
                first = false;
                writer.String(parameter.Name.ToUpperInvariant()).Append(' ').String(parameter.Value);
            }

            writer.Append(')');
        }

        writer.Append(')');
    }

    private static void Language(ImapWriter writer, ReadOnlySpan<byte> message, MimeNode node)
    {
        var value = node.Header(message, "Content-Language");
        if (string.IsNullOrWhiteSpace(value))
        {
            writer.Append("NIL");
            return;
        }

        var tags = value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (tags.Length == 1)
        {
            writer.String(tags[0]);
            return;
        }

        writer.Append('(');
        for (var i = 0; i < tags.Length; i++)
        {
            if (i > 0) writer.Append(' ');
            writer.String(tags[i]);
        }

        writer.Append(')');
    }
}
