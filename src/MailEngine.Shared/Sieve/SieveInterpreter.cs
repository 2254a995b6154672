using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using MimeKit;
using MimeKit.Utils;

namespace MailEngine.Sieve;

/// <summary>
/// Runs a compiled script on a message (RFC 5228 and the extensions in
/// <see cref="SieveValidator.Capabilities"/>) and returns the actions, implicit keep included. Pure:
/// nothing is delivered or sent here; the caller carries the actions out. A runtime error (too many
/// actions, reject combined with keep) gives the error and only the implicit keep (RFC 5228 2.10.6).
/// </summary>
public sealed class SieveInterpreter
{
    private readonly SieveScript _script;
    private readonly SieveMessage _message;
    private readonly SieveContext _context;
    private readonly List<SieveAction> _actions = [];
    private readonly Dictionary<string, string> _variables = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<string> _captures = [];
    private List<string> _flags = [];
    private bool _implicitKeep = true;
    private bool _stopped;
    private int _redirects;
    private bool _vacationSeen;

    private sealed class RuntimeException(string message) : Exception(message);

    private readonly SieveRunBudget _budget;

    private SieveInterpreter(SieveScript script, SieveMessage message, SieveContext context)
    {
        _script = script;
        _message = message;
        _context = context;
        _budget = new SieveRunBudget(context.Limits.MaxRunSteps, context.Limits.MaxRunTime);
    }

    public static SieveResult Run(SieveScript script, SieveMessage message, SieveContext context)
    {
        var interpreter = new SieveInterpreter(script, message, context);
        try
        {
            interpreter.Execute(script.Commands);
            interpreter.CheckConflicts();
        }
        catch (RuntimeException e)
        {
            return new SieveResult([new KeepAction([], Implicit: true)], e.Message);
        }
        catch (SieveBudgetExceededException e)
        {
            return new SieveResult([new KeepAction([], Implicit: true)], e.Message, BudgetExceeded: true);
        }

        var actions = interpreter._actions;
        if (interpreter._implicitKeep && !actions.Any(a => a is KeepAction)) actions.Add(new KeepAction([.. interpreter._flags], Implicit: true));
        return new SieveResult(actions, null, interpreter._stopped);
    }

    private bool Has(string extension) => _script.Extensions.Contains(extension);

    private void Execute(IReadOnlyList<SieveCommand> commands)
    {
        var previousTaken = true; // whether an earlier branch of the current if-chain ran
        foreach (var command in commands)
        {
            if (_stopped) return;
            _budget.Spend();
            switch (command.Name)
            {
                case "require":
                    break;
                case "if":
                    previousTaken = Test(command.Tests[0]);
                    if (previousTaken) Execute(command.Block!);
                    break;
                case "elsif":
                    if (!previousTaken && Test(command.Tests[0]))
                    {
                        previousTaken = true;
                        Execute(command.Block!);
                    }

                    break;
                case "else":
                    if (!previousTaken) Execute(command.Block!);
                    previousTaken = true;
                    break;
                case "stop":
                    _stopped = true;
                    return;
                default:
                    Action(command);
                    break;
            }
        }
    }

    private SieveCall Bind(SieveCommand command)
    {
        SieveCall.Bind(SieveValidator.Commands[command.Name], command.Arguments, _script.Extensions, out var call);
        return call;
    }

    private SieveCall Bind(SieveTest test)
    {
        SieveCall.Bind(SieveValidator.Tests[test.Name], test.Arguments, _script.Extensions, out var call);
        return call;
    }

    private void Add(SieveAction action)
    {
        if (_actions.Count(a => a is not FlagAction) >= _context.Limits.MaxActions) throw new RuntimeException($"more than {_context.Limits.MaxActions} actions");
        _actions.Add(action);
    }

    private void Action(SieveCommand command)
    {
        var call = Bind(command);
        var args = call.Positional;
        switch (command.Name)
        {
            case "keep":
                AddKeep(call.Strings("flags") is { } keepFlags ? ParseFlags(keepFlags) : [.. _flags]);
                _implicitKeep = false;
                break;
            case "discard":
                _implicitKeep = false;
                Add(new DiscardAction());
                break;
            case "redirect":
            {
                var address = Expand(args[0].Strings![0]);
                if (!MailboxAddress.TryParse(address, out var parsed) || !parsed.Address.Contains('@')) throw new RuntimeException($"redirect to an invalid address \"{address}\"");
                if (++_redirects > _context.Limits.MaxRedirects) throw new RuntimeException($"more than {_context.Limits.MaxRedirects} redirects");
                if (!_actions.OfType<RedirectAction>().Any(r => r.Address.Equals(parsed.Address, StringComparison.OrdinalIgnoreCase)))
                    Add(new RedirectAction(parsed.Address, call.Has("copy")));
                if (!call.Has("copy")) _implicitKeep = false;
                break;
            }

            case "fileinto":
            {
                var folder = Expand(args[0].Strings![0]);
                var flags = call.Strings("flags") is { } f ? ParseFlags(f) : [.. _flags];
                if (folder.Equals("INBOX", StringComparison.OrdinalIgnoreCase)) AddKeep(flags);
                else if (!_actions.OfType<FileIntoAction>().Any(a => a.Folder == folder)) Add(new FileIntoAction(folder, flags, call.Has("create"), call.Has("copy")));
                if (!call.Has("copy")) _implicitKeep = false;
                break;
            }

            case "reject":
            case "ereject":
                _implicitKeep = false;
                Add(new RejectAction(Expand(args[0].Strings![0]), command.Name == "ereject"));
                break;
            case "vacation":
                Vacation(call);
                break;
            case "setflag":
            case "addflag":
            case "removeflag":
            {
                var names = ParseFlags(args[^1].Strings!.Select(Expand));
                var variable = args.Count == 2 ? Expand(args[0].Strings![0]) : null;
                var current = variable is null ? _flags : ParseFlags([_variables.GetValueOrDefault(variable, string.Empty)]);
                var updated = command.Name switch
                {
                    "setflag" => names,
                    "addflag" => current.Concat(names.Where(n => !current.Contains(n, StringComparer.OrdinalIgnoreCase))).ToList(),
                    _ => current.Where(c => !names.Contains(c, StringComparer.OrdinalIgnoreCase)).ToList(),
                };
                if (variable is null)
                {
                    _flags = updated;
                    _actions.Add(new FlagAction(command.Name, names));
                }
                else
                {
                    SetVariable(variable, string.Join(' ', updated));
                }

                break;
            }

            case "set":
                SetVariable(Expand(args[0].Strings![0]), Modify(Expand(args[1].Strings![0]), call));
                break;
        }
    }

    private void AddKeep(List<string> flags)
    {
        if (_actions.OfType<KeepAction>().Any()) return;
        Add(new KeepAction(flags, Implicit: false));
    }

    private void SetVariable(string name, string value)
    {
        if (name.Length == 0 || !(char.IsAsciiLetter(name[0]) || name[0] == '_') || name.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '_' or '.')))
            throw new RuntimeException($"invalid variable name \"{name}\"");
        if (!_variables.ContainsKey(name) && _variables.Count >= _context.Limits.MaxVariables) throw new RuntimeException("too many variables");
        _variables[name] = value.Length > _context.Limits.MaxStringBytes ? value[.._context.Limits.MaxStringBytes] : value;
    }

    /// <summary>set's modifiers (RFC 5229 4.1), applied in precedence order.</summary>
    private static string Modify(string value, SieveCall call)
    {
        if (call.Has("lower")) value = value.ToLowerInvariant();
        if (call.Has("upper")) value = value.ToUpperInvariant();
        if (call.Has("lowerfirst") && value.Length > 0) value = char.ToLowerInvariant(value[0]) + value[1..];
        if (call.Has("upperfirst") && value.Length > 0) value = char.ToUpperInvariant(value[0]) + value[1..];
        if (call.Has("quotewildcard")) value = value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("*", "\\*", StringComparison.Ordinal).Replace("?", "\\?", StringComparison.Ordinal);
        if (call.Has("length")) value = value.Length.ToString(CultureInfo.InvariantCulture);
        return value;
    }

    /// <summary>imap4flags' flag lists: space-separated names in each string, duplicates removed (RFC 5232 3).</summary>
    private static List<string> ParseFlags(IEnumerable<string> strings)
    {
        var flags = new List<string>();
        foreach (var name in strings.SelectMany(s => s.Split(' ', StringSplitOptions.RemoveEmptyEntries)))
            if (!flags.Contains(name, StringComparer.OrdinalIgnoreCase)) flags.Add(name);
        return flags;
    }

    /// <summary>Variable references (RFC 5229 3): ${name}, ${0}..${9} from the last :matches; unknown names are empty.</summary>
    private string Expand(string text)
    {
        if (!Has("variables") || !text.Contains("${", StringComparison.Ordinal)) return text;
        var builder = new StringBuilder(text.Length);
        var i = 0;
        while (i < text.Length)
        {
            var start = text.IndexOf("${", i, StringComparison.Ordinal);
            if (start < 0)
            {
                builder.Append(text, i, text.Length - i);
                break;
            }

            var end = text.IndexOf('}', start + 2);
            if (end < 0)
            {
                builder.Append(text, i, text.Length - i);
                break;
            }

            var name = text[(start + 2)..end];
            builder.Append(text, i, start - i);
            if (name.Length > 0 && name.All(char.IsAsciiDigit))
            {
                var n = int.Parse(name, CultureInfo.InvariantCulture);
                builder.Append(n < _captures.Count ? _captures[n] : string.Empty);
            }
            else if (name.Length > 0 && (char.IsAsciiLetter(name[0]) || name[0] == '_') && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.'))
            {
                builder.Append(_variables.GetValueOrDefault(name, string.Empty));
            }
            else
            {
                builder.Append(text, start, end - start + 1); // not a reference: kept as written
            }

            i = end + 1;
        }

        return builder.ToString();
    }

    private List<string> Keys(SieveArgument argument) => argument.Strings!.Select(Expand).ToList();

    private bool Test(SieveTest test)
    {
        var call = Bind(test);
        var args = call.Positional;
        switch (test.Name)
        {
            case "true": return true;
            case "false": return false;
            case "not": return !Test(test.Tests[0]);
            case "allof": return test.Tests.All(Test);
            case "anyof": return test.Tests.Any(Test);
            case "exists": return Keys(args[0]).All(name => _message.Message.Headers.Contains(name));
            case "size":
                return call.Has("over") ? _message.Size > args[0].Number : _message.Size < args[0].Number;
            case "header":
            {
                var values = Keys(args[0]).SelectMany(name => Indexed(HeaderValues(name), call)).ToList();
                return Match(call, values, Keys(args[1]));
            }

            case "address":
            {
                var values = Keys(args[0]).SelectMany(name => Indexed(HeaderValues(name), call))
                    .SelectMany(AddressesIn).Select(a => AddressPart(a, call)).OfType<string>().ToList();
                return Match(call, values, Keys(args[1]));
            }

            case "envelope":
            {
                var values = new List<string>();
                foreach (var part in Keys(args[0]))
                {
                    var address = part.ToLowerInvariant() switch
                    {
                        "from" => _message.Envelope.From,
                        "to" => _message.Envelope.To,
                        "auth" => _message.Envelope.Auth,
                        _ => null,
                    };
                    if (address is null) continue;
                    // The null reverse-path is the empty string for every address part (RFC 5228 5.4).
                    values.Add(address.Length == 0 ? string.Empty : AddressPart(address, call) ?? string.Empty);
                }

                return Match(call, values, Keys(args[1]));
            }

            case "body":
                return Match(call, [BodyText(call)], Keys(args[0]));
            case "date":
            {
                var zone = call.String("zone") is { } z ? SieveDates.ParseZone(z) : null;
                var values = new List<string>();
                foreach (var raw in Indexed(HeaderValues(Expand(args[0].Strings![0])), call))
                {
                    var text = raw.Contains(';') ? raw[(raw.LastIndexOf(';') + 1)..] : raw; // Received: ...; date
                    if (!DateUtils.TryParse(text.Trim(), out var date)) continue;
                    var shown = call.Has("originalzone") ? date : date.ToOffset(zone ?? _context.Now.Offset);
                    values.Add(SieveDates.Part(shown, Expand(args[1].Strings![0])));
                }

                return Match(call, values, Keys(args[2]));
            }

            case "currentdate":
            {
                var zone = call.String("zone") is { } z ? SieveDates.ParseZone(z) : null;
                var now = _context.Now.ToOffset(zone ?? _context.Now.Offset);
                return Match(call, [SieveDates.Part(now, Expand(args[0].Strings![0]))], Keys(args[1]));
            }

            case "hasflag":
            {
                var flags = args.Count == 2
                    ? ParseFlags(Keys(args[0]).Select(v => _variables.GetValueOrDefault(v, string.Empty)))
                    : _flags;
                return Match(call, flags, Keys(args[^1]));
            }

            case "mailboxexists":
                return Keys(args[0]).All(name => name.Equals("INBOX", StringComparison.OrdinalIgnoreCase) || _context.FolderExists(name));
            case "spamtest":
            {
                // RFC 5235: "0" when the message was not tested; else 1-10 (or 0-100 with :percent).
                // 3.1: with :count, an untested message has no value at all, so the count is 0.
                if (_context.SpamScore is null && call.Has("count")) return Match(call, [], Keys(args[0]));
                string value;
                if (call.Has("percent")) value = _context.SpamPercent is { } p ? Math.Clamp((int)Math.Round(p), 0, 100).ToString(CultureInfo.InvariantCulture) : "0";
                else value = _context.SpamScore is { } s ? Math.Clamp((int)Math.Round(s) + 1, 1, 10).ToString(CultureInfo.InvariantCulture) : "0";
                return Match(call, [value], Keys(args[0]));
            }

            case "string":
                return Match(call, Keys(args[0]), Keys(args[1]));
            default:
                throw new RuntimeException($"unknown test {test.Name}");
        }
    }

    private bool Match(SieveCall call, IReadOnlyList<string> values, IReadOnlyList<string> keys)
    {
        var matcher = new SieveMatcher(call, _budget, _context.Limits.MaxWildcards);
        var captures = Has("variables") && call.Has("matches") ? new List<string>() : null;
        var matched = matcher.Matches(values, keys, captures);
        if (matched && captures is not null)
        {
            _captures.Clear();
            _captures.AddRange(captures.Take(10));
        }

        return matched;
    }

    /// <summary>:index n [:last] (RFC 5260 6): only the nth occurrence, counted from the end with :last.</summary>
    private static IEnumerable<string> Indexed(List<string> values, SieveCall call)
    {
        if (call.Number("index") is not { } index) return values;
        var i = (int)index - 1;
        if (call.Has("last")) i = values.Count - 1 - i;
        return i >= 0 && i < values.Count ? [values[i]] : [];
    }

    /// <summary>The decoded, unfolded values of every field of that name, in order.</summary>
    private List<string> HeaderValues(string name) =>
        _message.Message.Headers.Where(h => h.Field.Equals(name, StringComparison.OrdinalIgnoreCase)).Select(h => h.Value.Trim()).ToList();

    private static IEnumerable<string> AddressesIn(string value) =>
        InternetAddressList.TryParse(value, out var list) ? list.Mailboxes.Select(m => m.Address) : [];

    /// <summary>:all, :localpart, :domain, and subaddress's :user and :detail with '+' as the separator (RFC 5233).</summary>
    private static string? AddressPart(string address, SieveCall call)
    {
        var at = address.LastIndexOf('@');
        var local = at < 0 ? address : address[..at];
        var domain = at < 0 ? string.Empty : address[(at + 1)..];
        if (call.Has("localpart")) return local;
        if (call.Has("domain")) return domain;
        var plus = local.IndexOf('+');
        if (call.Has("user")) return plus < 0 ? local : local[..plus];
        if (call.Has("detail")) return plus < 0 ? null : local[(plus + 1)..];
        return address;
    }

    /// <summary>body (RFC 5173): :text (default) the decoded text parts, :raw the undecoded body, :content the parts of those types.</summary>
    private string BodyText(SieveCall call)
    {
        var message = _message.Message;
        if (call.Has("raw"))
        {
            using var stream = new MemoryStream();
            message.Body?.WriteTo(FormatOptions.Default, stream, contentOnly: false);
            var text = Encoding.UTF8.GetString(stream.ToArray());
            var blank = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
            return message.Body is Multipart || blank < 0 ? text : text[(blank + 4)..];
        }

        var types = call.Strings("content") ?? ["text"];
        var builder = new StringBuilder();
        foreach (var part in message.BodyParts)
        {
            var type = part.ContentType;
            var wanted = types.Any(t => t.Length == 0 || (t.Contains('/') ? type.IsMimeType(t[..t.IndexOf('/')], t[(t.IndexOf('/') + 1)..]) : type.MediaType.Equals(t, StringComparison.OrdinalIgnoreCase)));
            if (!wanted || part is not TextPart text) continue;
            builder.Append(text.Text).Append('\n');
        }

        return builder.ToString();
    }

    /// <summary>
    /// vacation (RFC 5230, RFC 3834): no reply to the null sender, list or bulk mail, auto-replies,
    /// MAILER-DAEMON/owner-/-request senders, or mail not addressed to the user; at most one per
    /// sender and handle per :days (default 7) or :seconds.
    /// </summary>
    private void Vacation(SieveCall call)
    {
        if (_vacationSeen) throw new RuntimeException("more than one vacation action");
        _vacationSeen = true;
        var sender = _message.Envelope.From;
        // Each reason not to reply is recorded (the trial tools print it; delivery ignores it).
        if (sender.Length == 0)
        {
            Add(new VacationSuppressedAction("the sender is the null sender <> (RFC 5230 4.6)"));
            return;
        }

        var at = sender.LastIndexOf('@');
        var local = (at < 0 ? sender : sender[..at]).ToLowerInvariant();
        if (local is "mailer-daemon" or "listserv" or "majordomo" or "postmaster" || local.StartsWith("owner-", StringComparison.Ordinal) || local.EndsWith("-request", StringComparison.Ordinal))
        {
            Add(new VacationSuppressedAction($"the sender {sender} is a daemon or list address (RFC 3834 2)"));
            return;
        }

        var headers = _message.Message.Headers;
        if (headers["Auto-Submitted"] is { } auto && !auto.Trim().StartsWith("no", StringComparison.OrdinalIgnoreCase))
        {
            Add(new VacationSuppressedAction($"the message is automatic (Auto-Submitted: {auto.Trim()}, RFC 3834 2)"));
            return;
        }

        if (headers["Precedence"] is { } precedence && precedence.Trim().ToLowerInvariant() is "bulk" or "list" or "junk")
        {
            Add(new VacationSuppressedAction($"the message is bulk mail (Precedence: {precedence.Trim()})"));
            return;
        }

        if (headers.FirstOrDefault(h => h.Field.StartsWith("List-", StringComparison.OrdinalIgnoreCase)) is { } list)
        {
            Add(new VacationSuppressedAction($"the message is list mail ({list.Field}:, RFC 2369)"));
            return;
        }

        var mine = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { _context.Recipient };
        foreach (var alias in _context.Aliases) mine.Add(alias);
        foreach (var address in call.Strings("addresses") ?? []) mine.Add(Expand(address));
        var addressedToMe = new[] { "To", "Cc", "Bcc", "Resent-To", "Resent-Cc", "Resent-Bcc" }
            .SelectMany(HeaderValues).SelectMany(AddressesIn).Any(mine.Contains);
        if (!addressedToMe)
        {
            Add(new VacationSuppressedAction($"the message is not addressed to {_context.Recipient} in To/Cc/Bcc (RFC 5230 4.5)"));
            return;
        }

        var reason = Expand(call.Positional[0].Strings![0]);
        var subject = call.String("subject") is { } s ? Expand(s) : "Auto: " + (_message.Message.Subject ?? string.Empty);
        // :from only among the addresses the mailbox may send as (as submission checks MAIL FROM):
        // otherwise anyone's filter could send "Urgent: wire transfer" from the CEO to whoever writes.
        var from = _context.Recipient;
        string? ignoredFrom = null;
        if (call.String("from") is { } f)
        {
            var wanted = Expand(f);
            if (MimeKit.MailboxAddress.TryParse(wanted, out var parsedFrom)
                && (parsedFrom.Address.Equals(_context.Recipient, StringComparison.OrdinalIgnoreCase) || (_context.MaySendAs?.Invoke(parsedFrom.Address.ToLowerInvariant()) ?? false)))
                from = wanted;
            else
                ignoredFrom = wanted;
        }

        var handle = call.String("handle") is { } h ? Expand(h)
            : Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes($"{reason}\n{call.String("subject")}\n{call.String("from")}\n{call.Has("mime")}")))[..16];
        // RFC 6131 2 allows a site minimum: one day, as Pigeonhole's sieve_vacation_min_period, so that
        // ":seconds 0" cannot make a reply go out for every message.
        var period = call.Number("seconds") is { } seconds ? TimeSpan.FromSeconds(Math.Clamp(seconds, SieveLimits.MinVacationSeconds, 365L * 86400))
            : TimeSpan.FromDays(Math.Clamp(call.Number("days") ?? 7, 1, 365));
        if (!_context.Vacations.TryRecord(_context.Recipient, sender, handle, period, _context.Now))
        {
            Add(new VacationSuppressedAction($"{sender} was already answered within the period ({VacationAction.Format(period)})"));
            return;
        }

        var messageId = _message.Message.MessageId is { } id ? "<" + id + ">" : null;
        var references = _message.Message.References.Count > 0 ? string.Join(' ', _message.Message.References.Select(r => "<" + r + ">")) + (messageId is null ? string.Empty : " " + messageId) : messageId;
        Add(new VacationAction(sender, from, subject, reason, call.Has("mime"), handle, period, messageId, references, ignoredFrom));
    }

    /// <summary>RFC 5429 2.2: reject and ereject cancel delivery; combined with keep, fileinto, redirect or vacation it is an error.</summary>
    private void CheckConflicts()
    {
        if (!_actions.Any(a => a is RejectAction)) return;
        if (_actions.Count(a => a is RejectAction) > 1 || _actions.Any(a => a is KeepAction or FileIntoAction or RedirectAction or VacationAction))
            throw new RuntimeException("reject cannot be combined with keep, fileinto, redirect, vacation or another reject");
    }
}
