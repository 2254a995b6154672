namespace MailEngine.Contracts;

/// <summary>The version the engine runs, when it was applied, and the last apply error, as the console shows them.</summary>
public sealed record EngineStatus(long AppliedVersion, DateTimeOffset? AppliedAt, string? LastError, DateTimeOffset? LastErrorAt);
