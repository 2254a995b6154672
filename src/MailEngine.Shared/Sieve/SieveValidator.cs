namespace MailEngine.Sieve;

/// <summary>What a tag takes after it.</summary>
internal enum TagValue
{
    None,
    Number,
    String,
    StringList,
}

/// <summary>A tag a command or test accepts: its value and the extension it needs ("" for the base spec).</summary>
internal sealed record TagSpec(string Name, TagValue Value, string Extension = "", string? Group = null);

/// <summary>The shape of a command or test: its tags, its positional arguments (all string lists or numbers), its extension.</summary>
internal sealed record CallSpec(string Name, string Extension, TagSpec[] Tags, SieveArgumentKind[] Positional, int OptionalLeading = 0, bool TakesTest = false, bool TakesTestList = false, bool TakesBlock = false);

/// <summary>A command's or test's arguments sorted out: the tags given (with values) and the positional arguments.</summary>
internal sealed class SieveCall
{
    public Dictionary<string, SieveArgument?> Tags { get; } = new(StringComparer.Ordinal);
    public List<SieveArgument> Positional { get; } = [];

    public bool Has(string tag) => Tags.ContainsKey(tag);
    public string? String(string tag) => Tags.TryGetValue(tag, out var v) ? v?.Strings?[0] : null;
    public IReadOnlyList<string>? Strings(string tag) => Tags.TryGetValue(tag, out var v) ? v?.Strings : null;
    public long? Number(string tag) => Tags.TryGetValue(tag, out var v) && v is { Kind: SieveArgumentKind.Number } ? v.Number : null;

    /// <summary>Sorts arguments against a spec; returns an error message or null.</summary>
    public static string? Bind(CallSpec spec, IReadOnlyList<SieveArgument> arguments, IReadOnlySet<string> extensions, out SieveCall call)
    {
        call = new SieveCall();
        var groups = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < arguments.Count; i++)
        {
            var argument = arguments[i];
            if (argument.Kind != SieveArgumentKind.Tag)
            {
                call.Positional.Add(argument);
                continue;
            }

            if (call.Positional.Count > spec.OptionalLeading) return $"tag :{argument.Tag} after positional arguments of {spec.Name}";
            var tag = spec.Tags.FirstOrDefault(t => t.Name == argument.Tag);
            if (tag is null) return $"{spec.Name} has no tag :{argument.Tag}";
            if (tag.Extension.Length > 0 && !extensions.Contains(tag.Extension)) return $":{argument.Tag} needs require \"{tag.Extension}\"";
            if (call.Tags.ContainsKey(tag.Name)) return $":{argument.Tag} given twice";
            if (tag.Group is { } group)
            {
                if (groups.TryGetValue(group, out var other)) return $":{argument.Tag} and :{other} cannot both be given";
                groups[group] = tag.Name;
            }

            SieveArgument? value = null;
            if (tag.Value != TagValue.None)
            {
                if (i + 1 >= arguments.Count) return $":{argument.Tag} needs a value";
                value = arguments[++i];
                var ok = tag.Value switch
                {
                    TagValue.Number => value.Kind == SieveArgumentKind.Number,
                    TagValue.String => value.Kind == SieveArgumentKind.Strings && value.Strings!.Count == 1,
                    _ => value.Kind == SieveArgumentKind.Strings,
                };
                if (!ok) return $":{argument.Tag} needs {(tag.Value == TagValue.Number ? "a number" : tag.Value == TagValue.String ? "a string" : "a string list")}";
            }

            call.Tags[tag.Name] = value;
        }

        var expected = spec.Positional;
        var given = call.Positional;
        // Leading optional positionals (setflag's variable name, hasflag's variable list) shift the rest.
        var skip = given.Count - expected.Length;
        if (skip < 0 || skip > spec.OptionalLeading) return $"{spec.Name} takes {expected.Length} argument(s), {given.Count} given";
        for (var i = 0; i < expected.Length; i++)
            if (given[i + skip].Kind != expected[i]) return $"argument {i + 1 + skip} of {spec.Name} must be {(expected[i] == SieveArgumentKind.Number ? "a number" : "a string or string list")}";
        return null;
    }
}

/// <summary>
/// Checks a parsed script against RFC 5228 and the extensions it requires: known commands and tests
/// with the right arguments, require before anything else, elsif/else after if, extensions that
/// this interpreter offers. Also applies encoded-character (RFC 5228 2.4.2.4) to every string.
/// </summary>
public static class SieveValidator
{
    /// <summary>The extensions this interpreter offers (the SIEVE capability string).</summary>
    public static readonly IReadOnlyList<string> Capabilities =
    [
        "fileinto", "reject", "ereject", "envelope", "encoded-character", "variables", "vacation", "vacation-seconds",
        "imap4flags", "relational", "comparator-i;ascii-numeric", "subaddress", "copy", "body", "date", "index",
        "mailbox", "spamtest", "spamtestplus",
    ];

    private static readonly TagSpec[] Comparator = [new("comparator", TagValue.String)];

    private static readonly TagSpec[] MatchTypes =
    [
        new("is", TagValue.None, Group: "match"), new("contains", TagValue.None, Group: "match"), new("matches", TagValue.None, Group: "match"),
        new("count", TagValue.String, "relational", "match"), new("value", TagValue.String, "relational", "match"),
    ];

    private static readonly TagSpec[] AddressParts =
    [
        new("all", TagValue.None, Group: "part"), new("localpart", TagValue.None, Group: "part"), new("domain", TagValue.None, Group: "part"),
        new("user", TagValue.None, "subaddress", "part"), new("detail", TagValue.None, "subaddress", "part"),
    ];

    private static readonly TagSpec[] Index = [new("index", TagValue.Number, "index"), new("last", TagValue.None, "index")];

    private static readonly SieveArgumentKind S = SieveArgumentKind.Strings;
    private static readonly SieveArgumentKind N = SieveArgumentKind.Number;

    internal static readonly Dictionary<string, CallSpec> Commands = new CallSpec[]
    {
        new("require", "", [], [S]),
        new("if", "", [], [], TakesTest: true, TakesBlock: true),
        new("elsif", "", [], [], TakesTest: true, TakesBlock: true),
        new("else", "", [], [], TakesBlock: true),
        new("stop", "", [], []),
        new("keep", "", [new("flags", TagValue.StringList, "imap4flags")], []),
        new("discard", "", [], []),
        new("redirect", "", [new("copy", TagValue.None, "copy")], [S]),
        new("fileinto", "fileinto", [new("copy", TagValue.None, "copy"), new("flags", TagValue.StringList, "imap4flags"), new("create", TagValue.None, "mailbox")], [S]),
        new("reject", "reject", [], [S]),
        new("ereject", "ereject", [], [S]),
        new("vacation", "vacation",
        [
            new("days", TagValue.Number, Group: "period"), new("seconds", TagValue.Number, "vacation-seconds", "period"), new("subject", TagValue.String),
            new("from", TagValue.String), new("addresses", TagValue.StringList), new("mime", TagValue.None), new("handle", TagValue.String),
        ], [S]),
        new("setflag", "imap4flags", [], [S], OptionalLeading: 1),
        new("addflag", "imap4flags", [], [S], OptionalLeading: 1),
        new("removeflag", "imap4flags", [], [S], OptionalLeading: 1),
        new("set", "variables",
        [
            new("lower", TagValue.None, Group: "case"), new("upper", TagValue.None, Group: "case"), new("lowerfirst", TagValue.None, Group: "first"),
            new("upperfirst", TagValue.None, Group: "first"), new("quotewildcard", TagValue.None), new("length", TagValue.None),
        ], [S, S]),
    }.ToDictionary(c => c.Name, StringComparer.Ordinal);

    internal static readonly Dictionary<string, CallSpec> Tests = new CallSpec[]
    {
        new("address", "", [.. Comparator, .. AddressParts, .. MatchTypes, .. Index], [S, S]),
        new("header", "", [.. Comparator, .. MatchTypes, .. Index], [S, S]),
        new("envelope", "envelope", [.. Comparator, .. AddressParts, .. MatchTypes], [S, S]),
        new("exists", "", [], [S]),
        new("size", "", [new("over", TagValue.None, Group: "size"), new("under", TagValue.None, Group: "size")], [N]),
        new("allof", "", [], [], TakesTestList: true),
        new("anyof", "", [], [], TakesTestList: true),
        new("not", "", [], [], TakesTest: true),
        new("true", "", [], []),
        new("false", "", [], []),
        new("body", "body", [.. Comparator, .. MatchTypes, new("raw", TagValue.None, Group: "transform"), new("content", TagValue.StringList, Group: "transform"), new("text", TagValue.None, Group: "transform")], [S]),
        new("date", "date", [new("zone", TagValue.String, Group: "zone"), new("originalzone", TagValue.None, Group: "zone"), .. Comparator, .. MatchTypes, .. Index], [S, S, S]),
        new("currentdate", "date", [new("zone", TagValue.String), .. Comparator, .. MatchTypes], [S, S]),
        new("hasflag", "imap4flags", [.. Comparator, .. MatchTypes], [S], OptionalLeading: 1),
        new("mailboxexists", "mailbox", [], [S]),
        new("spamtest", "spamtest", [new("percent", TagValue.None, "spamtestplus"), .. Comparator, .. MatchTypes], [S]),
        new("string", "variables", [.. Comparator, .. MatchTypes], [S, S]),
    }.ToDictionary(c => c.Name, StringComparer.Ordinal);

    private static readonly HashSet<string> Comparators = ["i;octet", "i;ascii-casemap", "i;ascii-numeric"];

    internal static SieveCompilation Validate(List<SieveCommand> commands, SieveLimits limits)
    {
        var errors = new List<SieveError>();
        var extensions = new HashSet<string>(StringComparer.Ordinal);
        var requiresAllowed = true;
        var encoded = false;
        foreach (var command in commands)
        {
            if (command.Name != "require")
            {
                requiresAllowed = false;
                continue;
            }

            if (!requiresAllowed) errors.Add(new SieveError(command.Position, "require must come before any other command"));
            if (command.Arguments is not [{ Kind: SieveArgumentKind.Strings } names] || command.Block is not null)
            {
                errors.Add(new SieveError(command.Position, "require takes one string list"));
                continue;
            }

            foreach (var name in names.Strings!)
            {
                var known = Capabilities.Contains(name) || name is "comparator-i;octet" or "comparator-i;ascii-casemap";
                if (!known) errors.Add(new SieveError(names.Position, $"unsupported extension \"{name}\""));
                else extensions.Add(name);
                if (name == "encoded-character") encoded = true;
                // Extensions that imply others (RFC 5235: spamtestplus includes spamtest; RFC 6131 needs vacation).
                if (name == "spamtestplus") extensions.Add("spamtest");
                if (name == "vacation-seconds") extensions.Add("vacation");
            }
        }

        if (errors.Count > 0) return new SieveCompilation(null, errors);
        var checkedCommands = CheckBlock(commands, extensions, errors, encoded);
        return errors.Count > 0 ? new SieveCompilation(null, errors) : new SieveCompilation(new SieveScript(checkedCommands, extensions), []);
    }

    private static List<SieveCommand> CheckBlock(IReadOnlyList<SieveCommand> commands, HashSet<string> extensions, List<SieveError> errors, bool encoded)
    {
        var result = new List<SieveCommand>(commands.Count);
        string? previous = null;
        foreach (var raw in commands)
        {
            var command = encoded ? raw with { Arguments = Decode(raw.Arguments, raw.Position, errors) } : raw;
            if (!Commands.TryGetValue(command.Name, out var spec))
            {
                errors.Add(new SieveError(command.Position, $"unknown command \"{command.Name}\""));
                result.Add(command);
                previous = command.Name;
                continue;
            }

            if (spec.Extension.Length > 0 && !extensions.Contains(spec.Extension))
                errors.Add(new SieveError(command.Position, $"{command.Name} needs require \"{spec.Extension}\""));
            if (command.Name is "elsif" or "else" && previous is not ("if" or "elsif"))
                errors.Add(new SieveError(command.Position, $"{command.Name} without a preceding if"));
            if (command.Name == "require" && previous is not (null or "require"))
                errors.Add(new SieveError(command.Position, "require must come before any other command"));
            if (SieveCall.Bind(spec, command.Arguments, extensions, out var call) is { } problem)
                errors.Add(new SieveError(command.Position, problem));
            else CheckValues(command.Name, call, command.Position, errors);
            if (spec.TakesTest && command.Tests.Count != 1) errors.Add(new SieveError(command.Position, $"{command.Name} needs one test"));
            // A command with a test it does not take is, in practice, a missing ';' before the next command.
            if (!spec.TakesTest && command.Tests.Count > 0) errors.Add(new SieveError(command.Tests[0].Position, $"missing ';' before \"{command.Tests[0].Name}\""));
            if (spec.TakesBlock != command.Block is not null)
                errors.Add(new SieveError(command.Position, spec.TakesBlock ? $"{command.Name} needs a block" : $"{command.Name} takes no block; missing ';'?"));

            var tests = command.Tests.Select(t => CheckTest(t, extensions, errors, encoded)).ToList();
            var block = command.Block is null ? null : CheckBlock(command.Block, extensions, errors, encoded);
            result.Add(command with { Tests = tests, Block = block });
            previous = command.Name;
        }

        return result;
    }

    private static SieveTest CheckTest(SieveTest raw, HashSet<string> extensions, List<SieveError> errors, bool encoded)
    {
        var test = encoded ? raw with { Arguments = Decode(raw.Arguments, raw.Position, errors) } : raw;
        if (!Tests.TryGetValue(test.Name, out var spec))
        {
            errors.Add(new SieveError(test.Position, $"unknown test \"{test.Name}\""));
            return test;
        }

        if (spec.Extension.Length > 0 && !extensions.Contains(spec.Extension))
            errors.Add(new SieveError(test.Position, $"{test.Name} needs require \"{spec.Extension}\""));
        if (SieveCall.Bind(spec, test.Arguments, extensions, out var call) is { } problem)
            errors.Add(new SieveError(test.Position, problem));
        else CheckValues(test.Name, call, test.Position, errors);
        if (spec.TakesTestList && test.Tests.Count == 0) errors.Add(new SieveError(test.Position, $"{test.Name} needs a test list"));
        if (spec.TakesTest && test.Tests.Count != 1) errors.Add(new SieveError(test.Position, $"{test.Name} needs one test"));
        if (!spec.TakesTest && !spec.TakesTestList && test.Tests.Count > 0) errors.Add(new SieveError(test.Position, $"{test.Name} takes no tests"));
        return test with { Tests = test.Tests.Select(t => CheckTest(t, extensions, errors, encoded)).ToList() };
    }

    private static void CheckValues(string name, SieveCall call, SievePosition position, List<SieveError> errors)
    {
        if (call.String("comparator") is { } comparator && !Comparators.Contains(comparator.ToLowerInvariant()))
            errors.Add(new SieveError(position, $"unsupported comparator \"{comparator}\""));
        foreach (var relational in new[] { "count", "value" })
            if (call.String(relational) is { } op && op.ToLowerInvariant() is not ("gt" or "ge" or "lt" or "le" or "eq" or "ne"))
                errors.Add(new SieveError(position, $"invalid relational operator \"{op}\""));
        if (name == "size" && !call.Has("over") && !call.Has("under")) errors.Add(new SieveError(position, "size needs :over or :under"));
        if (name is "date" or "currentdate" && call.Positional[^2].Strings is [var part] && !SieveDates.Parts.Contains(part.ToLowerInvariant()))
            errors.Add(new SieveError(position, $"unknown date part \"{part}\""));
        if (call.Has("last") && !call.Has("index")) errors.Add(new SieveError(position, ":last needs :index"));
        if (call.Number("index") is 0) errors.Add(new SieveError(position, ":index counts from 1"));
    }

    /// <summary>encoded-character (RFC 5228 2.4.2.4): ${hex:41 42} and ${unicode:1F600} in strings.</summary>
    private static List<SieveArgument> Decode(IReadOnlyList<SieveArgument> arguments, SievePosition position, List<SieveError> errors) =>
        arguments.Select(a => a.Kind != SieveArgumentKind.Strings ? a : a with { Strings = a.Strings!.Select(s => DecodeString(s, position, errors)).ToList() }).ToList();

    private static string DecodeString(string text, SievePosition position, List<SieveError> errors)
    {
        if (!text.Contains("${", StringComparison.Ordinal)) return text;
        var builder = new System.Text.StringBuilder();
        var i = 0;
        while (i < text.Length)
        {
            var start = text.IndexOf("${", i, StringComparison.Ordinal);
            if (start < 0)
            {
                builder.Append(text, i, text.Length - i);
                break;
            }

            builder.Append(text, i, start - i);
            var end = text.IndexOf('}', start);
            var colon = text.IndexOf(':', start);
            if (end < 0 || colon < 0 || colon > end)
            {
                builder.Append(text, start, text.Length - start);
                break;
            }

            var kind = text[(start + 2)..colon].Trim().ToLowerInvariant();
            var body = text[(colon + 1)..end].Split([' ', '\t', '\r', '\n'], StringSplitOptions.RemoveEmptyEntries);
            if (kind is "hex" or "unicode" && body.All(h => h.All(char.IsAsciiHexDigit) && h.Length <= 8))
            {
                if (kind == "hex")
                {
                    var bytes = body.Select(h => Convert.ToByte(h, 16)).ToArray();
                    builder.Append(System.Text.Encoding.UTF8.GetString(bytes));
                }
                else
                {
                    foreach (var h in body)
                    {
                        var code = Convert.ToInt32(h, 16);
                        if (code > 0x10FFFF || code is >= 0xD800 and <= 0xDFFF)
                        {
                            errors.Add(new SieveError(position, $"invalid unicode character ${{unicode:{h}}}"));
                            continue;
                        }

                        builder.Append(char.ConvertFromUtf32(code));
                    }
                }
            }
            else
            {
                builder.Append(text, start, end - start + 1);
            }

            i = end + 1;
        }

        return builder.ToString();
    }
}
