using System.Diagnostics.Metrics;

namespace MailEngine.Telemetry;

/// <summary>
/// The engine's observed state that flows back to the console: /metrics, the Engine page, alerts. One
/// <see cref="Meter"/> per component (MailEngine.Smtp, .Auth, .Delivery, .Dkim, .Sieve, .Scanner, .Queue), so
/// a listener can take some and leave others; disposed with the engine.
/// </summary>
public sealed class EngineCounters : IDisposable
{
    public const string MeterPrefix = "MailEngine";

    private readonly Meter _smtp = new($"{MeterPrefix}.Smtp"), _auth = new($"{MeterPrefix}.Auth"), _delivery = new($"{MeterPrefix}.Delivery"),
        _dkim = new($"{MeterPrefix}.Dkim"), _sieve = new($"{MeterPrefix}.Sieve"), _scanner = new($"{MeterPrefix}.Scanner"), _queue = new($"{MeterPrefix}.Queue");

    public EngineCounters()
    {
        Accepted = new(_smtp, "mailengine_messages_accepted_total", "Messages accepted with 250 after DATA, by listener.");
        Rejected = new(_smtp, "mailengine_messages_rejected_total", "Recipients or messages refused, by reason.");
        PolicyDeferred = new(_smtp, "mailengine_policy_deferred_total", "Recipients or messages answered \"try again later\" by a policy check, by reason.");
        ConnectionsRefused = new(_smtp, "mailengine_connections_refused_total", "Connections closed at once because a listener or a client address had too many, by listener:reason.");
        Authentication = new(_smtp, "mailengine_inbound_authentication_total", "Messages from outside checked with SPF, DKIM and DMARC, by DMARC result (pass, fail, none, temperror, permerror).");
        AuthFailures = new(_auth, "mailengine_auth_failures_total", "Failed logins, by protocol (smtp, imap).");
        AuthUnavailable = new(_auth, "mailengine_auth_unavailable_total", "Logins answered \"try again later\" because every password-hashing slot was busy, by protocol.");
        Delivered = new(_delivery, "mailengine_messages_delivered_total", "Copies delivered, by kind (local, remote).");
        Deferred = new(_delivery, "mailengine_messages_deferred_total", "Delivery attempts that will be retried.");
        Bounced = new(_delivery, "mailengine_messages_bounced_total", "Copies that failed permanently.");
        DkimSigned = new(_dkim, "mailengine_dkim_signed_total", "Messages signed with DKIM (one per message, whatever the number of signatures).");
        DkimSignFailures = new(_dkim, "mailengine_dkim_sign_failures_total", "Messages deferred because a DKIM key could not sign them.");
        ArcSealed = new(_dkim, "mailengine_arc_sealed_total", "Forwarded copies sealed with an ARC set (RFC 8617) for the forwarding domain.");
        SieveErrors = new(_sieve, "mailengine_sieve_errors_total", "Sieve runs that ended in an error and kept the message, by reason (budget, runtime).");
        Scanned = new(_scanner, "mailengine_messages_scanned_total", "Messages the spam scanner looked at, by the action of the highest verdict.");
        Learned = new(_scanner, "mailengine_bayes_learned_total", "Messages the Bayes model learned, by kind (spam, ham).");
    }

    public LabeledCounter Accepted { get; }
    public LabeledCounter Rejected { get; }
    public LabeledCounter PolicyDeferred { get; }
    public LabeledCounter Delivered { get; }
    public LabeledCounter Deferred { get; }
    public LabeledCounter Bounced { get; }
    public LabeledCounter AuthFailures { get; }
    public LabeledCounter AuthUnavailable { get; }

    public LabeledCounter ConnectionsRefused { get; }

    public LabeledCounter SieveErrors { get; }

    public LabeledCounter Scanned { get; }
    public LabeledCounter Learned { get; }

    public LabeledCounter Authentication { get; }

    public LabeledCounter DkimSigned { get; }
    public LabeledCounter DkimSignFailures { get; }
    public LabeledCounter ArcSealed { get; }

    /// <summary>The queue's gauges, read when a listener collects (the queue exists only while the engine runs).</summary>
    public void ObserveQueue(Func<int> length, Func<double> oldestSeconds)
    {
        _queue.CreateObservableGauge("mailengine.queue.messages", length, description: "Messages in the delivery queue.");
        _queue.CreateObservableGauge("mailengine.queue.oldest", oldestSeconds, unit: "s", description: "Age of the oldest queued message.");
    }

    public void Dispose()
    {
        foreach (var meter in new[] { _smtp, _auth, _delivery, _dkim, _sieve, _scanner, _queue }) meter.Dispose();
    }

    public IEnumerable<LabeledCounter> All => [Accepted, Rejected, PolicyDeferred, Delivered, Deferred, Bounced, AuthFailures, AuthUnavailable, ConnectionsRefused, SieveErrors, Scanned, Learned, Authentication, DkimSigned, DkimSignFailures, ArcSealed];
}
