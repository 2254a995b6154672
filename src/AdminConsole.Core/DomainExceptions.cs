namespace AdminConsole.Core;

/// <summary>
/// Input that breaks a rule of the domain; nothing was written. The API answers 400 with a problem
/// whose "errors" map names each field, the UI shows each message beside its field.
/// </summary>
public class DomainValidationException : Exception
{
    public DomainValidationException(string field, string message)
        : this(new Dictionary<string, string[]> { [field] = [message] })
    {
    }

    public DomainValidationException(IReadOnlyDictionary<string, string[]> errors)
        : base(string.Join(" ", errors.SelectMany(e => e.Value)))
    {
        Errors = errors;
    }

    public IReadOnlyDictionary<string, string[]> Errors { get; }

    /// <summary>The first field named, for callers that show one message.</summary>
    public string Field => Errors.Keys.First();
}

/// <summary>Input that collides with existing state (a duplicate, a loop, a non-empty domain); nothing was written. The API answers 409.</summary>
public sealed class DomainConflictException(string field, string message) : DomainValidationException(field, message);

/// <summary>The object named does not exist. The API answers 404.</summary>
public sealed class DomainNotFoundException(string message) : Exception(message);

/// <summary>The object changed since the client read it (If-Match did not match). The API answers 412.</summary>
public sealed class DomainVersionMismatchException(string message) : Exception(message);

/// <summary>Collects field errors during validation and throws them together, before anything is written.</summary>
public sealed class ValidationErrors
{
    private readonly Dictionary<string, List<string>> _errors = new(StringComparer.Ordinal);

    public void Add(string field, string message)
    {
        if (!_errors.TryGetValue(field, out var list)) _errors[field] = list = [];
        list.Add(message);
    }

    public bool Any => _errors.Count > 0;

    public bool Has(string field) => _errors.ContainsKey(field);

    public void ThrowIfAny()
    {
        if (_errors.Count > 0) throw new DomainValidationException(_errors.ToDictionary(e => e.Key, e => e.Value.ToArray()));
    }
}
