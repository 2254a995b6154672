using System.Text;
using System.Text.RegularExpressions;
using MailEngine.Imap.Protocol;
using MailEngine.Store;

namespace MailEngine.Imap;

internal sealed partial class ImapSession
{
    /// <summary>
    /// LIST and LSUB (RFC 3501 6.3.8/6.3.9) with LIST-EXTENDED (RFC 5258: selection options
    /// SUBSCRIBED, SPECIAL-USE, several patterns, RETURN (SUBSCRIBED CHILDREN SPECIAL-USE STATUS)),
    /// SPECIAL-USE attributes (RFC 6154) and LIST-STATUS (RFC 5819). "%" matches within one level,
    /// "*" across levels.
    /// </summary>
    private async ValueTask ListAsync(ImapCommand command, ImapArguments args, bool subscribedOnly, CancellationToken ct)
    {
        var selectSubscribed = subscribedOnly;
        var selectSpecialUse = false;
        if (!subscribedOnly && args.Peek is { IsList: true })
        {
            foreach (var option in args.List("selection options"))
            {
                switch (option.Text.ToUpperInvariant())
                {
                    case "SUBSCRIBED": selectSubscribed = true; break;
                    case "SPECIAL-USE": selectSpecialUse = true; break;
                    case "RECURSIVEMATCH" or "REMOTE": break;
                    default: throw ImapCommandException.Syntax($"Unknown selection option {option}");
                }
            }
        }

        var reference = args.AString("reference");
        var patterns = new List<string>();
        if (!subscribedOnly && args.Peek is { IsList: true }) patterns.AddRange(args.List("patterns").Select(p => p.Text));
        else patterns.Add(args.Next("pattern") is var p && (p.IsAString) ? p.Text : throw ImapCommandException.Syntax("Invalid pattern"));

        var returnSubscribed = false;
        var returnSpecialUse = false;
        List<ImapValue>? statusItems = null;
        if (!subscribedOnly && args.TryKeyword("RETURN"))
        {
            var options = args.List("return options");
            for (var i = 0; i < options.Count; i++)
            {
                switch (options[i].Text.ToUpperInvariant())
                {
                    case "SUBSCRIBED": returnSubscribed = true; break;
                    case "CHILDREN": break; // always returned
                    case "SPECIAL-USE": returnSpecialUse = true; break;
                    case "STATUS" when i + 1 < options.Count && options[i + 1].IsList:
                        statusItems = options[++i].Items;
                        break;
                    default: throw ImapCommandException.Syntax($"Unknown return option {options[i]}");
                }
            }
        }

        args.End();
        var extended = selectSubscribed && !subscribedOnly || selectSpecialUse || returnSubscribed || returnSpecialUse || statusItems is not null || patterns.Count > 1;
        var verb = subscribedOnly ? "LSUB" : "LIST";

        // RFC 3501 6.3.8: an empty pattern asks for the hierarchy delimiter.
        if (patterns.Count == 1 && patterns[0].Length == 0)
        {
            _writer.Append("* ").Append(verb).Append(" (\\Noselect) \"/\" \"\"\r\n");
            await CompleteAsync(command, $"{verb} completed", ct);
            return;
        }

        var folders = _account!.Folders();
        var matchers = patterns.Select(pattern => Matcher(reference + pattern)).ToList();
        foreach (var folder in folders)
        {
            if (!matchers.Any(m => m.IsMatch(folder.Name))) continue;
            if (selectSubscribed && !folder.Subscribed) continue;
            if (selectSpecialUse && folder.SpecialUse is null) continue;
            var attributes = new List<string> { folder.HasChildren ? "\\HasChildren" : "\\HasNoChildren" };
            if (folder.SpecialUse is not null && (!extended || returnSpecialUse || selectSpecialUse)) attributes.Add(folder.SpecialUse);
            if ((returnSubscribed || (selectSubscribed && !subscribedOnly)) && folder.Subscribed) attributes.Add("\\Subscribed");
            _writer.Append("* ").Append(verb).Append(" (").Append(string.Join(' ', attributes)).Append(") \"/\" ").String(folder.Name).Append("\r\n");
            if (statusItems is not null) WriteStatus(folder.Name, statusItems);
            await _writer.MaybeFlushAsync(ct);
        }

        await CompleteAsync(command, $"{verb} completed", ct);
    }

    /// <summary>A LIST pattern as a regular expression: "*" is any text, "%" any text without '/'; INBOX matches in any case.</summary>
    private static Regex Matcher(string pattern)
    {
        var builder = new StringBuilder("^");
        foreach (var c in pattern)
        {
            builder.Append(c switch
            {
                '*' => ".*",
                '%' => "[^/]*",
                _ => Regex.Escape(c.ToString()),
            });
        }

        builder.Append('$');
        var regex = builder.ToString();
        if (pattern.StartsWith("INBOX", StringComparison.OrdinalIgnoreCase)) regex = "^INBOX" + regex["^INBOX".Length..];
        return new Regex(regex, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
    }
}
