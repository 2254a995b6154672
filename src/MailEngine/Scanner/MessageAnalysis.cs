using System.Text;
using System.Text.RegularExpressions;
using MimeKit;

namespace MailEngine.Scanner;

/// <summary>
/// A message taken apart for the rules (<see cref="SpamRule"/> targets) and the Bayes classifier:
/// MimeKit decodes the parts (transfer encodings, charsets, RFC 2047 words), HTML is reduced to its
/// text with its links kept as URIs, and structural facts are listed. Text beyond
/// <see cref="MaxTextChars"/> is not looked at, as SpamAssassin and rspamd bound their work.
/// </summary>
public sealed partial class MessageAnalysis
{
    public const int MaxTextChars = 256 * 1024;
    private readonly MimeMessage _message;
    private readonly Dictionary<string, ScanBuffer> _buffers = new(StringComparer.OrdinalIgnoreCase);

    private MessageAnalysis(MimeMessage message, string rawBody)
    {
        _message = message;
        var text = new StringBuilder();
        var uris = new List<string>();
        var facts = new List<string>();
        var htmlParts = 0;
        var plainParts = 0;
        var attachments = 0;
        var images = 0;
        foreach (var part in message.BodyParts)
        {
            if (part is MimePart { IsAttachment: true } attachment)
            {
                attachments++;
                var fileName = attachment.FileName ?? string.Empty;
                if (ExecutableName().IsMatch(fileName)) facts.Add("executable-attachment");
                if (ArchiveName().IsMatch(fileName)) facts.Add("archive-attachment");
                if (part.ContentType.MediaType.Equals("image", StringComparison.OrdinalIgnoreCase)) images++;
                continue;
            }

            if (part is not TextPart textPart)
            {
                if (part.ContentType.MediaType.Equals("image", StringComparison.OrdinalIgnoreCase)) images++;
                continue;
            }

            if (text.Length >= MaxTextChars) break;
            string content;
            try
            {
                content = textPart.Text ?? string.Empty;
            }
            catch (Exception e) when (e is FormatException or NotSupportedException or ArgumentException)
            {
                facts.Add("undecodable-part");
                continue;
            }

            if (textPart.IsHtml)
            {
                htmlParts++;
                content = HtmlToText(content, uris, facts);
            }
            else
            {
                plainParts++;
            }

            if (text.Length > 0) text.Append('\n');
            text.Append(content.Length + text.Length > MaxTextChars ? content[..(MaxTextChars - text.Length)] : content);
        }

        var body = text.ToString();
        foreach (Match m in UriInText().Matches(body)) uris.Add(m.Value.TrimEnd('.', ',', ')', ';', '>', '"', '\''));
        Body = body;
        Uris = uris.Distinct(StringComparer.OrdinalIgnoreCase).Take(1000).ToList();

        if (message.Headers[HeaderId.MessageId] is null) facts.Add("no-message-id");
        if (message.Headers[HeaderId.Date] is null) facts.Add("no-date");
        if (string.IsNullOrWhiteSpace(message.Subject)) facts.Add("no-subject");
        if (message.From.Count == 0) facts.Add("no-from");
        if (message.To.Count == 0 && message.Cc.Count == 0) facts.Add("no-to");
        if (message.To.Count + message.Cc.Count > 50) facts.Add("many-recipients");
        if (htmlParts > 0 && plainParts == 0) facts.Add("html-only");
        if (htmlParts == 0 && plainParts == 0) facts.Add("no-text");
        if (body.Trim().Length == 0) facts.Add("empty-body");
        if (images > 0 && body.Trim().Length < 200) facts.Add("image-mostly");
        if (attachments > 0) facts.Add("has-attachment");
        if (message.Headers[HeaderId.MimeVersion] is null && message.Body is Multipart) facts.Add("multipart-without-mime-version");
        if (message.ReplyTo.Mailboxes.FirstOrDefault() is { } replyTo && message.From.Mailboxes.FirstOrDefault() is { } from
            && !Addressing.EmailAddress.DomainOf(replyTo.Address).Equals(Addressing.EmailAddress.DomainOf(from.Address), StringComparison.OrdinalIgnoreCase)) facts.Add("reply-to-other-domain");
        if (message.From.Mailboxes.FirstOrDefault() is { } sender && sender.Name is { Length: > 0 } display
            && EmailInText().Match(display) is { Success: true } shown && !shown.Value.Equals(sender.Address, StringComparison.OrdinalIgnoreCase)) facts.Add("from-name-other-address");
        if (message.Subject is { Length: >= 10 } subject && subject.Any(char.IsLetter) && subject.Where(char.IsLetter).All(char.IsUpper)) facts.Add("subject-all-capitals");
        if (Uris.Count > 0 && body.Length > 0 && Uris.Count * 60 > body.Length) facts.Add("mostly-links");
        Facts = facts;
        RawBody = rawBody;
    }

    public MimeMessage Message => _message;

    /// <summary>The decoded text of the text parts (HTML as text), parts separated by a newline.</summary>
    public string Body { get; }

    public string RawBody { get; }
    public IReadOnlyList<string> Uris { get; }
    public IReadOnlyList<string> Facts { get; }

    /// <summary>Reads a message (at most <paramref name="maxBytes"/> of it); unparseable input reads as an empty message with the "unparseable" fact.</summary>
    public static MessageAnalysis Load(Stream stream, int maxBytes = 4 * 1024 * 1024)
    {
        var bytes = ReadAtMost(stream, maxBytes);
        return Load(bytes);
    }

    public static MessageAnalysis Load(byte[] bytes)
    {
        var bodyStart = BodyStart(bytes);
        var rawLength = Math.Min(bytes.Length - bodyStart, MaxTextChars);
        var raw = Encoding.Latin1.GetString(bytes, bodyStart, Math.Max(rawLength, 0));
        MimeMessage message;
        try
        {
            message = MimeMessage.Load(new MemoryStream(bytes, writable: false));
        }
        catch (FormatException)
        {
            message = new MimeMessage();
        }

        return new MessageAnalysis(message, raw);
    }

    private static byte[] ReadAtMost(Stream stream, int maxBytes)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while (buffer.Length < maxBytes && (read = stream.Read(chunk, 0, (int)Math.Min(chunk.Length, maxBytes - buffer.Length))) > 0) buffer.Write(chunk, 0, read);
        return buffer.ToArray();
    }

    /// <summary>Where the body starts: after the first empty line (CRLF CRLF or LF LF).</summary>
    private static int BodyStart(ReadOnlySpan<byte> bytes)
    {
        var crlf = bytes.IndexOf("\r\n\r\n"u8);
        var lf = bytes.IndexOf("\n\n"u8);
        if (crlf >= 0 && (lf < 0 || crlf < lf)) return crlf + 4;
        return lf >= 0 ? lf + 2 : bytes.Length;
    }

    /// <summary>The text of one target, made once per message.</summary>
    public ScanBuffer Target(string target)
    {
        if (_buffers.TryGetValue(target, out var buffer)) return buffer;
        var text = target switch
        {
            "headers" => string.Concat(Headers.Select(h => $"{h.Field}: {h.Value}\n")),
            "body" => Body,
            "rawbody" => RawBody,
            "uri" => string.Join('\n', Uris),
            "facts" => string.Join('\n', Facts),
            _ when target.StartsWith("header:", StringComparison.OrdinalIgnoreCase) =>
                HeaderValues.TryGetValue(target[7..], out var values) ? values : string.Empty,
            _ => throw new ArgumentException($"unknown target {target}", nameof(target)),
        };
        buffer = new ScanBuffer(text);
        _buffers[target] = buffer;
        return buffer;
    }

    /// <summary>
    /// The message's header section, each value decoded (RFC 2047) and unfolded once: MimeKit decodes on
    /// every read of Header.Value, and keeps the top-level Content-* headers with the body entity.
    /// </summary>
    private List<(string Field, string Value)> Headers => _headers ??=
        (_message.Body is { } body ? _message.Headers.Concat(body.Headers) : _message.Headers).Select(h => (h.Field, Unfold(Decode(h)))).ToList();

    /// <summary>A header's value: MimeKit's RFC 2047 decoding only when there is an encoded word ("=?"), the raw bytes as UTF-8 otherwise (much cheaper).</summary>
    private static string Decode(Header header)
    {
        var raw = header.RawValue;
        if (raw.AsSpan().IndexOf("=?"u8) >= 0) return header.Value;
        return raw.AsSpan().ContainsAnyInRange((byte)0x80, (byte)0xff) ? header.Value : Encoding.ASCII.GetString(raw);
    }

    private List<(string Field, string Value)>? _headers;

    /// <summary>Each header name's values, one per line, made in one pass for the header:Name targets.</summary>
    private Dictionary<string, string> HeaderValues => _headerValues ??= Headers
        .GroupBy(h => h.Field, StringComparer.OrdinalIgnoreCase)
        .ToDictionary(g => g.Key, g => string.Join('\n', g.Select(h => h.Value)), StringComparer.OrdinalIgnoreCase);

    private Dictionary<string, string>? _headerValues;

    private static string Unfold(string value) => value.Replace("\r", string.Empty, StringComparison.Ordinal).Replace("\n", string.Empty, StringComparison.Ordinal).Trim();

    /// <summary>
    /// HTML to text in one pass over the markup (a scanner of our own: MimeKit's tokenizer was most of
    /// the analysis time): text kept, comments, script, style and head dropped, block elements as line
    /// breaks, cells as spaces; href, src and action become URIs; forms, images and hidden or
    /// invisible text become facts. Entities are decoded at the end.
    /// </summary>
    public static string HtmlToText(string html, List<string> uris, List<string>? facts = null)
    {
        var text = new StringBuilder(html.Length / 2);
        string? skipUntil = null;
        var hidden = false;
        var i = 0;
        while (i < html.Length)
        {
            var lt = html.IndexOf('<', i);
            if (lt < 0)
            {
                if (skipUntil is null) text.Append(html.AsSpan(i));
                break;
            }

            if (skipUntil is null && lt > i) text.Append(html.AsSpan(i, lt - i));
            if (html.AsSpan(lt).StartsWith("<!--"))
            {
                var close = html.IndexOf("-->", lt + 4, StringComparison.Ordinal);
                i = close < 0 ? html.Length : close + 3;
                continue;
            }

            var p = lt + 1;
            var isEnd = p < html.Length && html[p] == '/';
            if (isEnd) p++;
            var nameStart = p;
            while (p < html.Length && char.IsAsciiLetterOrDigit(html[p])) p++;
            if (p == nameStart)
            {
                if (p < html.Length && html[p] is '!' or '?')
                {
                    var gt = html.IndexOf('>', p);
                    i = gt < 0 ? html.Length : gt + 1;
                    continue;
                }

                if (skipUntil is null) text.Append('<'); // a '<' in the text
                i = lt + 1;
                continue;
            }

            var name = html[nameStart..p].ToLowerInvariant();
            // Attributes up to the closing '>', quotes respected.
            while (p < html.Length && html[p] != '>')
            {
                if (char.IsWhiteSpace(html[p]) || html[p] == '/') { p++; continue; }
                var attributeStart = p;
                while (p < html.Length && !char.IsWhiteSpace(html[p]) && html[p] is not ('=' or '>' or '/')) p++;
                var attribute = html.AsSpan(attributeStart, p - attributeStart);
                while (p < html.Length && char.IsWhiteSpace(html[p])) p++;
                if (p >= html.Length || html[p] != '=') continue;
                p++;
                while (p < html.Length && char.IsWhiteSpace(html[p])) p++;
                string value;
                if (p < html.Length && html[p] is '"' or '\'')
                {
                    var quote = html[p];
                    var close = html.IndexOf(quote, p + 1);
                    if (close < 0) close = html.Length;
                    value = html[(p + 1)..close];
                    p = Math.Min(close + 1, html.Length);
                }
                else
                {
                    var valueStart = p;
                    while (p < html.Length && !char.IsWhiteSpace(html[p]) && html[p] != '>') p++;
                    value = html[valueStart..p];
                }

                if (skipUntil is not null || isEnd) continue;
                if (attribute.Equals("href", StringComparison.OrdinalIgnoreCase) || attribute.Equals("src", StringComparison.OrdinalIgnoreCase) || attribute.Equals("action", StringComparison.OrdinalIgnoreCase))
                {
                    var url = System.Net.WebUtility.HtmlDecode(value).Trim();
                    if (url.Contains("://", StringComparison.Ordinal) || url.StartsWith("www.", StringComparison.OrdinalIgnoreCase) || url.StartsWith("mailto:", StringComparison.OrdinalIgnoreCase)) uris.Add(url);
                }
                else if (attribute.Equals("style", StringComparison.OrdinalIgnoreCase) && InvisibleStyle().IsMatch(value))
                {
                    hidden = true;
                }
            }

            i = Math.Min(p + 1, html.Length);
            if (skipUntil is not null)
            {
                if (isEnd && name == skipUntil) skipUntil = null;
                continue;
            }

            if (isEnd && name is not ("p" or "div" or "tr" or "li" or "table" or "h1" or "h2" or "h3" or "h4")) continue;
            switch (name)
            {
                case "script" or "style" or "head" when !isEnd:
                    skipUntil = name;
                    break;
                case "br" or "p" or "div" or "tr" or "li" or "table" or "h1" or "h2" or "h3" or "h4":
                    text.Append('\n');
                    break;
                case "td" or "th":
                    text.Append(' ');
                    break;
                case "form":
                    facts?.Add("html-form");
                    break;
                case "img":
                    facts?.Add("html-image");
                    break;
            }
        }

        if (hidden) facts?.Add("html-hidden-text");
        // Runs of blanks (markup indentation, &nbsp;) as one space; then the entities are decoded.
        var collapsed = new StringBuilder(text.Length);
        var blank = false;
        for (var k = 0; k < text.Length; k++)
        {
            var c = text[k];
            if (c is ' ' or '\t' or '\u00a0')
            {
                if (!blank) collapsed.Append(' ');
                blank = true;
                continue;
            }

            blank = false;
            collapsed.Append(c);
        }

        var result = collapsed.ToString();
        return result.Contains('&', StringComparison.Ordinal) ? System.Net.WebUtility.HtmlDecode(result) : result;
    }

    [GeneratedRegex(@"\.(exe|scr|pif|bat|cmd|com|js|jse|vbs|vbe|wsf|hta|lnk|iso|img)$", RegexOptions.IgnoreCase)]
    private static partial Regex ExecutableName();

    [GeneratedRegex(@"\.(zip|rar|7z|gz|ace|arj)$", RegexOptions.IgnoreCase)]
    private static partial Regex ArchiveName();

    [GeneratedRegex(@"display\s*:\s*none|font-size\s*:\s*[01](px|pt)?\s*(;|$)|visibility\s*:\s*hidden", RegexOptions.IgnoreCase)]
    private static partial Regex InvisibleStyle();

    [GeneratedRegex(@"\b(?:https?://|www\.)[^\s<>""'\]\[{}|\\^`]+", RegexOptions.IgnoreCase)]
    private static partial Regex UriInText();

    [GeneratedRegex(@"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")]
    private static partial Regex EmailInText();
}
