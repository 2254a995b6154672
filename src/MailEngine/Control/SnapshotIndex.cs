using System.Collections.Frozen;
using System.Net;
using MailEngine.Addressing;
using MailEngine.Contracts;

namespace MailEngine.Control;

/// <summary>The outcome of resolving one RCPT TO address against the snapshot.</summary>
public enum RecipientKind
{
    /// <summary>A mailbox here.</summary>
    LocalMailbox,

    /// <summary>A group (or catch-all) here, delivered to its expanded recipients.</summary>
    Alias,

    /// <summary>A domain this engine does not serve: relaying.</summary>
    Remote,

    /// <summary>
    /// An SRS address we made when forwarding (a bounce or reply coming back): relayed, without
    /// authentication, to the address it stands for (<see cref="RecipientResolution.Address"/>).
    /// </summary>
    SrsReturn,

    /// <summary>A domain here, but no such mailbox or group.</summary>
    Unknown,
}

/// <param name="Detail">Why an address of ours is unknown, when there is more to say (a forged or expired SRS address).</param>
public sealed record RecipientResolution(RecipientKind Kind, string Address, IReadOnlyList<string> Targets, SnapshotMailbox? Mailbox = null, string? Detail = null);

/// <summary>
/// A snapshot with its lookup tables, built once when the snapshot is applied so that every SMTP
/// command is a dictionary lookup. Immutable: the engine swaps the whole index.
/// </summary>
public sealed class SnapshotIndex
{
    private readonly FrozenDictionary<string, SnapshotDomain> _domains;
    private readonly FrozenDictionary<string, SnapshotMailbox> _mailboxes;
    private readonly FrozenDictionary<string, SnapshotAlias> _aliases;
    private readonly FrozenDictionary<string, FrozenSet<string>> _aliasesByMember;
    private readonly IReadOnlyList<IPNetwork> _trustedNetworks;
    private readonly Tls.ServedCertificates _certificates;

    public SnapshotIndex(EngineSnapshot snapshot, TimeProvider? clock = null)
    {
        Snapshot = snapshot;
        Srs = snapshot.Srs is { Secrets.Count: > 0 } srs ? new Srs.SenderRewriting(srs.Secrets, clock ?? TimeProvider.System) : null;
        _domains = snapshot.Domains.ToFrozenDictionary(d => d.Name, StringComparer.Ordinal);
        _mailboxes = snapshot.Mailboxes.ToFrozenDictionary(m => m.Address, StringComparer.Ordinal);
        _aliases = snapshot.Aliases.ToFrozenDictionary(a => a.Address, StringComparer.Ordinal);
        _aliasesByMember = snapshot.Aliases
            .SelectMany(a => a.Recipients.Select(r => (Member: r, Alias: a.Address)))
            .GroupBy(p => p.Member, StringComparer.Ordinal)
            .ToFrozenDictionary(g => g.Key, g => g.Select(p => p.Alias).ToFrozenSet(StringComparer.Ordinal), StringComparer.Ordinal);
        _trustedNetworks = snapshot.Policy.TrustedNetworks.Select(IPNetwork.Parse).ToList();
        _certificates = new Tls.ServedCertificates(snapshot.Certificates);
    }

    /// <summary>Every certificate the snapshot brought, each once.</summary>
    public IEnumerable<Tls.ServedCertificate> Certificates() => _certificates.All;

    /// <summary>The certificate for a TLS client's SNI name (see <see cref="Tls.ServedCertificates.For"/>); null if none.</summary>
    public Tls.ServedCertificate? Certificate(string? hostName) => _certificates.For(hostName);

    public EngineSnapshot Snapshot { get; }

    /// <summary>The Sender Rewriting Scheme with the snapshot's secrets; null when the snapshot has none.</summary>
    public Srs.SenderRewriting? Srs { get; }

    /// <summary>
    /// The envelope sender for a copy to a remote <paramref name="target"/>: rewritten by SRS when the copy
    /// is forwarded (its original recipient is one of our addresses: a group's external member, a Sieve
    /// redirect) and the sender is someone else's, so the receiver's SPF check sees our domain. Our own
    /// senders, the null sender and plain relaying keep the sender as it is.
    /// </summary>
    public string ForwardingSender(string sender, Queue.DeliveryTarget target)
    {
        if (Srs is null || sender.Length == 0 || target.Local) return sender;
        var forwardedFor = Addressing.EmailAddress.DomainOf(target.OriginalRecipient).ToLowerInvariant();
        if (!_domains.ContainsKey(forwardedFor)) return sender;
        if (_domains.ContainsKey(Addressing.EmailAddress.DomainOf(sender).ToLowerInvariant())) return sender;
        return Srs.Forward(sender, forwardedFor);
    }

    /// <summary>
    /// The domain of ours that forwards a copy outside our domains (a group's external member, a Sieve
    /// redirect): the original recipient's, when it differs from the target's; null for mail relayed as sent.
    /// </summary>
    public SnapshotDomain? Forwarder(Queue.DeliveryTarget target)
    {
        if (target.Local || target.OriginalRecipient.Equals(target.Address, StringComparison.OrdinalIgnoreCase)) return null;
        return _domains.GetValueOrDefault(Addressing.EmailAddress.DomainOf(target.OriginalRecipient).ToLowerInvariant());
    }

    public long Version => Snapshot.Version;

    public SnapshotMailbox? Mailbox(string address) => _mailboxes.GetValueOrDefault(address);

    /// <summary>One of our domains by its A-label name, lower-case; null when it is not ours.</summary>
    public SnapshotDomain? Domain(string name) => _domains.GetValueOrDefault(name);

    /// <summary>The spam settings of the domain of <paramref name="address"/> (the defaults for a domain without any).</summary>
    public Contracts.SpamPolicy SpamPolicy(string address) =>
        _domains.GetValueOrDefault(Addressing.EmailAddress.DomainOf(address).ToLowerInvariant())?.Spam ?? Contracts.SpamPolicy.Default;

    public bool IsTrusted(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        foreach (var network in _trustedNetworks)
            if (network.Contains(address)) return true;
        return false;
    }

    /// <summary>May <paramref name="mailbox"/> send as <paramref name="sender"/>: its own address or a group it receives through.</summary>
    public bool MaySendAs(string mailbox, string sender) =>
        sender == mailbox || (_aliasesByMember.TryGetValue(mailbox, out var aliases) && aliases.Contains(sender));

    /// <summary>
    /// Resolves a recipient: an exact mailbox or group first, then the address without its "+detail"
    /// (RFC 5233 subaddress, as Postfix's recipient_delimiter), then the domain's catch-all.
    /// </summary>
    public RecipientResolution Resolve(EmailAddress address)
    {
        var text = address.ToString();
        if (!_domains.TryGetValue(address.Domain, out var domain)) return new RecipientResolution(RecipientKind.Remote, text, [text]);

        if (Find(text) is { } exact) return exact;
        if (global::MailEngine.Srs.SenderRewriting.IsSrs(address.LocalPart) && Srs is not null)
        {
            // A forged or expired SRS address is refused even where a catch-all would take it: that is backscatter.
            var back = Srs.Reverse(address.LocalPart);
            return back.Valid && Addressing.EmailAddress.TryParse(back.Address!, out var original, out _)
                ? new RecipientResolution(RecipientKind.SrsReturn, original.ToString(), [original.ToString()])
                : new RecipientResolution(RecipientKind.Unknown, text, [], Detail: back.Error ?? "not a valid address");
        }

        var plus = address.LocalPart.IndexOf('+', StringComparison.Ordinal);
        if (plus > 0 && Find($"{address.LocalPart[..plus]}@{address.Domain}") is { } detail) return detail;
        if (domain.CatchAllAddress is { } catchAll) return new RecipientResolution(RecipientKind.Alias, text, [catchAll]);
        return new RecipientResolution(RecipientKind.Unknown, text, []);
    }

    private RecipientResolution? Find(string address)
    {
        if (_mailboxes.TryGetValue(address, out var mailbox)) return new RecipientResolution(RecipientKind.LocalMailbox, address, [address], mailbox);
        if (_aliases.TryGetValue(address, out var alias)) return new RecipientResolution(RecipientKind.Alias, address, alias.Recipients);
        return null;
    }
}
