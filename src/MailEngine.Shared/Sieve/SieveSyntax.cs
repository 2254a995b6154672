namespace MailEngine.Sieve;

/// <summary>A position in a script (1-based), for error messages "line:column".</summary>
public readonly record struct SievePosition(int Line, int Column)
{
    public override string ToString() => $"{Line}:{Column}";
}

/// <summary>An error in a script, with where it is.</summary>
public sealed record SieveError(SievePosition Position, string Message)
{
    public override string ToString() => $"{Position}: {Message}";
}

public enum SieveArgumentKind
{
    Tag,
    Number,
    Strings,
}

/// <summary>An argument (RFC 5228 8.2): a tag (":is"), a number (with K/M/G applied) or a string list.</summary>
public sealed record SieveArgument(SieveArgumentKind Kind, SievePosition Position, string? Tag = null, long Number = 0, IReadOnlyList<string>? Strings = null)
{
    public override string ToString() => Kind switch
    {
        SieveArgumentKind.Tag => ":" + Tag,
        SieveArgumentKind.Number => Number.ToString(System.Globalization.CultureInfo.InvariantCulture),
        _ => "[" + string.Join(", ", Strings!.Select(s => "\"" + s + "\"")) + "]",
    };
}

/// <summary>A test: its name, arguments and (allof/anyof/not) nested tests.</summary>
public sealed record SieveTest(string Name, IReadOnlyList<SieveArgument> Arguments, IReadOnlyList<SieveTest> Tests, SievePosition Position);

/// <summary>A command: its name, arguments, test (if/elsif) and block.</summary>
public sealed record SieveCommand(string Name, IReadOnlyList<SieveArgument> Arguments, IReadOnlyList<SieveTest> Tests, IReadOnlyList<SieveCommand>? Block, SievePosition Position);

/// <summary>A parsed and checked script: its commands and the extensions it requires.</summary>
public sealed record SieveScript(IReadOnlyList<SieveCommand> Commands, IReadOnlySet<string> Extensions);

/// <summary>The result of compiling a script: the script, or the errors with their positions.</summary>
public sealed record SieveCompilation(SieveScript? Script, IReadOnlyList<SieveError> Errors)
{
    public bool Succeeded => Script is not null;
}

/// <summary>Bounds on what a script may be and do; each has a test past it.</summary>
public sealed record SieveLimits
{
    public int MaxScriptBytes { get; init; } = 64 * 1024;
    public int MaxNesting { get; init; } = 32;
    public int MaxActions { get; init; } = 32;
    public int MaxRedirects { get; init; } = 4;
    public int MaxStringBytes { get; init; } = 16 * 1024;
    public int MaxVariables { get; init; } = 128;

    /// <summary>Steps one run may take in all (<see cref="SieveRunBudget"/>); ordinary scripts take a few thousand.</summary>
    public long MaxRunSteps { get; init; } = 1_000_000;

    /// <summary>Wall-clock time one run may take.</summary>
    public TimeSpan MaxRunTime { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How deep :matches may backtrack: one level per "*" in a key.</summary>
    public int MaxWildcards { get; init; } = 64;

    /// <summary>The shortest vacation period (RFC 6131 2's site minimum): one day.</summary>
    public const long MinVacationSeconds = 86400;

    public static readonly SieveLimits Default = new();
}
