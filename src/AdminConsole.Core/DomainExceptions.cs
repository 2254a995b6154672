namespace AdminConsole.Core;

/// <summary>Input that breaks a rule of the domain; nothing was written. The API answers 400 with the field.</summary>
public class DomainValidationException(string field, string message) : Exception(message)
{
    public string Field { get; } = field;
}

/// <summary>Input that collides with existing state (a duplicate, a loop); nothing was written. The API answers 409.</summary>
public sealed class DomainConflictException(string field, string message) : DomainValidationException(field, message);

/// <summary>The object named does not exist. The API answers 404.</summary>
public sealed class DomainNotFoundException(string message) : Exception(message);
