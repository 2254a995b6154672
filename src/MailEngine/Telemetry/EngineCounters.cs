using System.Collections.Concurrent;

namespace MailEngine.Telemetry;

/// <summary>A monotonically increasing count, split by one optional label ("reason", "listener", "kind").</summary>
public sealed class LabeledCounter(string name, string help)
{
    private readonly ConcurrentDictionary<(string Label, string Value), long> _values = new();

    public string Name { get; } = name;
    public string Help { get; } = help;

    public void Add(long amount, KeyValuePair<string, object?> label) =>
        _values.AddOrUpdate((label.Key, label.Value?.ToString() ?? ""), amount, (_, v) => v + amount);

    public void Add(long amount) => _values.AddOrUpdate(("", ""), amount, (_, v) => v + amount);

    public IReadOnlyList<(string Label, string Value, long Count)> Values =>
        _values.Select(kv => (Label: kv.Key.Label, Value: kv.Key.Value, Count: kv.Value)).OrderBy(v => v.Value, StringComparer.Ordinal).ToList();

    public long Total => _values.Values.Sum();
}

/// <summary>The engine's observed state that flows back to the console: /metrics, the Engine page, alerts.</summary>
public sealed class EngineCounters
{
    public LabeledCounter Accepted { get; } = new("mailengine_messages_accepted_total", "Messages accepted with 250 after DATA, by listener.");
    public LabeledCounter Rejected { get; } = new("mailengine_messages_rejected_total", "Recipients or messages refused, by reason.");
    public LabeledCounter PolicyDeferred { get; } = new("mailengine_policy_deferred_total", "Recipients or messages answered \"try again later\" by a policy check, by reason.");
    public LabeledCounter Delivered { get; } = new("mailengine_messages_delivered_total", "Copies delivered, by kind (local, remote).");
    public LabeledCounter Deferred { get; } = new("mailengine_messages_deferred_total", "Delivery attempts that will be retried.");
    public LabeledCounter Bounced { get; } = new("mailengine_messages_bounced_total", "Copies that failed permanently.");
    public LabeledCounter AuthFailures { get; } = new("mailengine_auth_failures_total", "Failed logins, by protocol (smtp, imap).");
    public LabeledCounter AuthUnavailable { get; } = new("mailengine_auth_unavailable_total", "Logins answered \"try again later\" because every password-hashing slot was busy, by protocol.");

    public LabeledCounter ConnectionsRefused { get; } = new("mailengine_connections_refused_total", "Connections closed at once because a listener or a client address had too many, by listener:reason.");

    public LabeledCounter SieveErrors { get; } = new("mailengine_sieve_errors_total", "Sieve runs that ended in an error and kept the message, by reason (budget, runtime).");

    public LabeledCounter Scanned { get; } = new("mailengine_messages_scanned_total", "Messages the spam scanner looked at, by the action of the highest verdict.");
    public LabeledCounter Learned { get; } = new("mailengine_bayes_learned_total", "Messages the Bayes model learned, by kind (spam, ham).");

    public LabeledCounter Authentication { get; } = new("mailengine_inbound_authentication_total", "Messages from outside checked with SPF, DKIM and DMARC, by DMARC result (pass, fail, none, temperror, permerror).");

    public LabeledCounter DkimSigned { get; } = new("mailengine_dkim_signed_total", "Messages signed with DKIM (one per message, whatever the number of signatures).");
    public LabeledCounter DkimSignFailures { get; } = new("mailengine_dkim_sign_failures_total", "Messages deferred because a DKIM key could not sign them.");
    public LabeledCounter ArcSealed { get; } = new("mailengine_arc_sealed_total", "Forwarded copies sealed with an ARC set (RFC 8617) for the forwarding domain.");

    public IEnumerable<LabeledCounter> All => [Accepted, Rejected, PolicyDeferred, Delivered, Deferred, Bounced, AuthFailures, AuthUnavailable, ConnectionsRefused, SieveErrors, Scanned, Learned, Authentication, DkimSigned, DkimSignFailures, ArcSealed];
}
