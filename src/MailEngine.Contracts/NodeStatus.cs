namespace MailEngine.Contracts;

/// <param name="Snapshot">The version it runs and its last apply error.</param>
/// <param name="Running">Whether its listeners and queue are up.</param>
/// <param name="Listeners">Listener name ("mx", "submission", "imaps"…) to the address it listens on.</param>
/// <param name="Scanner">"ready", or "compiling" while the spam rules are compiled in the background.</param>
public sealed record NodeStatus(EngineStatus Snapshot, bool Running, IReadOnlyDictionary<string, string> Listeners, string Scanner);
