namespace MailEngine.Contracts;

/// <param name="Snapshot">The version it runs and its last apply error.</param>
/// <param name="Running">Whether its listeners and queue are up.</param>
/// <param name="Listeners">Listener name ("mx", "submission", "imaps"…) to the address it listens on.</param>
/// <param name="Scanner">"ready", or "compiling" while the spam rules are compiled in the background.</param>
/// <param name="Certificates">The serial numbers (hex) of the certificates the node has loaded from its snapshot: what the console checks a new certificate reached.</param>
public sealed record NodeStatus(EngineStatus Snapshot, bool Running, IReadOnlyDictionary<string, string> Listeners, string Scanner, IReadOnlyList<string>? Certificates = null);
