using System.IO.Compression;
using MimeKit;

namespace MailEngine.Reports;

/// <summary>
/// The report inside a message (RFC 7489 §7.2.1.1: gzip or zip attached, or the XML itself; RFC 8460
/// §5.3: application/tlsrpt+gzip or +json), unpacked within limits: a compressed report larger than
/// <see cref="MaxPackedBytes"/>, or one that expands past <see cref="MaxExpandedBytes"/> or more than
/// <see cref="MaxRatio"/> times its size (a zip bomb), is refused before it fills memory.
/// </summary>
public static class ReportAttachment
{
    public const long MaxPackedBytes = 10L * 1024 * 1024;
    public const long MaxExpandedBytes = 50L * 1024 * 1024;
    public const int MaxRatio = 200;

    /// <summary>The report's bytes (XML or JSON) and whether it came as TLS-RPT's media type.</summary>
    public static (byte[] Content, bool TlsMediaType) Extract(MimeMessage message)
    {
        var parts = message.BodyParts.OfType<MimePart>().ToList();
        var part = parts.FirstOrDefault(p => Kind(p) is not null) ?? throw new ReportRefusedException("the message has no gzip, zip, XML or JSON part");
        using var raw = new MemoryStream();
        (part.Content ?? throw new ReportRefusedException("the report part is empty")).DecodeTo(raw);
        if (raw.Length > MaxPackedBytes) throw new ReportRefusedException($"the attachment is {raw.Length} bytes; at most {MaxPackedBytes} are read");
        var packed = raw.ToArray();
        var tls = part.ContentType.MimeType.StartsWith("application/tlsrpt", StringComparison.OrdinalIgnoreCase);
        return Kind(part) switch
        {
            "gzip" => (Expand(new GZipStream(new MemoryStream(packed), CompressionMode.Decompress), packed.Length), tls),
            "zip" => (Unzip(packed), tls),
            _ => (packed, tls),
        };
    }

    private static string? Kind(MimePart part)
    {
        var type = part.ContentType.MimeType.ToLowerInvariant();
        var name = (part.FileName ?? "").ToLowerInvariant();
        if (type is "application/gzip" or "application/x-gzip" or "application/tlsrpt+gzip" || name.EndsWith(".gz", StringComparison.Ordinal)) return "gzip";
        if (type is "application/zip" or "application/x-zip-compressed" || name.EndsWith(".zip", StringComparison.Ordinal)) return "zip";
        if (type is "text/xml" or "application/xml" or "application/json" or "application/tlsrpt+json" || name.EndsWith(".xml", StringComparison.Ordinal) || name.EndsWith(".json", StringComparison.Ordinal)) return "plain";
        return null;
    }

    private static byte[] Unzip(byte[] packed)
    {
        try
        {
            using var archive = new ZipArchive(new MemoryStream(packed), ZipArchiveMode.Read);
            var entries = archive.Entries.Where(e => e.Length > 0 || e.CompressedLength > 0).ToList();
            if (entries.Count != 1) throw new ReportRefusedException($"the zip holds {entries.Count} files; a report is one");
            var entry = entries[0];
            // The sizes the archive declares are checked first; the reading below is bounded all the same, as they can lie.
            if (entry.Length > MaxExpandedBytes || (entry.CompressedLength > 0 && entry.Length / entry.CompressedLength > MaxRatio))
                throw new ReportRefusedException($"{entry.FullName} would expand to {entry.Length} bytes from {entry.CompressedLength} (a zip bomb?)");
            using var stream = entry.Open();
            return Expand(stream, packed.Length);
        }
        catch (InvalidDataException e)
        {
            throw new ReportRefusedException($"the zip cannot be read: {e.Message}");
        }
    }

    /// <summary>Reads a decompressing stream up to the limits, and no further.</summary>
    private static byte[] Expand(Stream stream, long packedBytes)
    {
        var limit = Math.Min(MaxExpandedBytes, Math.Max(packedBytes, 1) * MaxRatio);
        using var output = new MemoryStream();
        var buffer = new byte[81920];
        try
        {
            using (stream)
            {
                int read;
                while ((read = stream.Read(buffer)) > 0)
                {
                    output.Write(buffer, 0, read);
                    if (output.Length > limit) throw new ReportRefusedException($"the attachment expands past {limit} bytes from {packedBytes} (a zip bomb?)");
                }
            }
        }
        catch (InvalidDataException e)
        {
            throw new ReportRefusedException($"the attachment cannot be decompressed: {e.Message}");
        }

        return output.ToArray();
    }
}
