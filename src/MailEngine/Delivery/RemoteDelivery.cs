using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using MailEngine.Dns;
using MailEngine.OutboundTls;
using MailEngine.Queue;
using Envelope = MailEngine.Queue.Envelope;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;
using Microsoft.Extensions.Logging;

namespace MailEngine.Delivery;

/// <summary>
/// Relays copies to other domains' mail exchangers: MX lookup (implicit MX when there is none), one
/// SMTP transaction per domain with a result per recipient, and STARTTLS (RFC 3207) as the
/// exchanger's policy asks (<see cref="OutboundTlsPolicy"/>): DANE (RFC 7672) or MTA-STS enforce
/// (RFC 8461) insist on TLS and a certificate that passes, and an exchanger that fails is not sent
/// to (the copy waits, and returns to its sender when it expires); otherwise opportunistic
/// (RFC 7435: encrypt when offered, do not insist on a valid certificate).
/// </summary>
/// <param name="lookup">The engine's DNS for exchanger addresses, TLSA and MTA-STS records.</param>
/// <param name="tls">Outbound TLS policy: what each exchanger must meet, and the record of outcomes for TLS-RPT.</param>
/// <param name="arc">Seals forwarded copies (RFC 8617); null: they go unsealed.</param>
public sealed partial class RemoteDelivery(IDnsResolver dns, IDnsLookup lookup, string hostName, QueueOptions options, ILogger logger, OutboundTlsPolicy tls, Dkim.ArcSealing? arc = null)
{
    /// <param name="sender">The MAIL FROM of this transaction: the envelope's, or its SRS rewriting for a forwarded copy.</param>
    /// <param name="forwarder">The domain of ours that forwards these copies (a group, a redirect), whose ARC set goes on them; null for mail relayed as sent.</param>
    public async Task<IReadOnlyDictionary<string, DeliveryResult>> DeliverAsync(
        Envelope envelope, string sender, string domain, IReadOnlyList<DeliveryTarget> targets, Stream message, CancellationToken ct, Contracts.SnapshotDomain? forwarder = null)
    {
        var results = new Dictionary<string, DeliveryResult>(StringComparer.Ordinal);
        var exchangers = await dns.ResolveMailExchangersAsync(domain, ct);
        if (exchangers.Hosts.Count == 0)
        {
            var failure = exchangers.Permanent
                ? DeliveryResult.Failed(exchangers.NullMx ? "5.1.10" : "5.1.2", exchangers.Error ?? $"{domain}: no mail exchanger")
                : DeliveryResult.Temporary("4.4.3", exchangers.Error ?? $"{domain}: DNS lookup failed");
            foreach (var t in targets) results[t.Address] = failure;
            return results;
        }

        message.Position = 0;
        var mime = await MimeMessage.LoadAsync(message, ct);
        if (forwarder is not null && arc is not null)
        {
            try
            {
                if (await arc.SealAsync(mime, forwarder, ct)) logger.LogInformation("Relay {QueueId} to {Domain}: ARC-sealed for {Forwarder}", envelope.QueueId, domain, forwarder.Name);
            }
            catch (Exception e) when (e is FormatException or InvalidOperationException or ArgumentException or Org.BouncyCastle.Crypto.CryptoException or System.Security.Cryptography.CryptographicException)
            {
                // A damaged key costs the seal, not the forward: the copy goes as it came, and the log says why.
                logger.LogError("Relay {QueueId} to {Domain}: ARC sealing for {Forwarder} failed, sent unsealed: {Error}", envelope.QueueId, domain, forwarder.Name, e.Message);
            }
        }

        var lastError = DeliveryResult.Temporary("4.4.1", $"{domain}: no mail exchanger answered");
        var sts = await tls.StsAsync(domain, ct);
        // A domain that says it has a policy (its _mta-sts record) which could not be had: reported, then delivered as without one (RFC 8461 §5.1).
        if (sts is { Policy: null, Failure: { } stsFailure })
            tls.Record(domain, TlsRequirement.Opportunistic with { PolicyType = TlsRequirement.StsPolicy }, "", null, stsFailure);

        foreach (var host in exchangers.Hosts)
        {
            var requirement = await tls.ForExchangerAsync(domain, exchangers, host, options.RemotePort, sts, ct);
            if (requirement.Refusal is { } refusal)
            {
                tls.Record(domain, requirement, host, null, refusal);
                lastError = DeliveryResult.Temporary("4.7.5", $"{host} not used: {refusal.Reason} ({requirement.Describe()})");
                logger.LogWarning("Relay {QueueId} to {Domain}: {Reason}", envelope.QueueId, domain, lastError.Detail);
                continue;
            }

            TlsFailure? certificateFailure = null;
            using var client = new RecordingSmtpClient { LocalDomain = hostName, Timeout = 120_000, CheckCertificateRevocation = false };
            client.ServerCertificateValidationCallback = (_, certificate, chain, errors) =>
            {
                if (certificate is null) return !requirement.Enforced;
                var leaf = certificate as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
                certificateFailure = tls.Check(requirement, host, leaf, chain, errors);
                return certificateFailure is null || !requirement.Enforced;
            };
            IPAddress? address = null;
            try
            {
                var addresses = await ExchangerAddresses.ResolveAsync(lookup, host, ct);
                if (addresses.Count == 0)
                {
                    lastError = DeliveryResult.Temporary("4.4.4", $"{host}: no address found");
                    continue;
                }

                using var socket = await ConnectAsync(addresses, ct);
                address = ((IPEndPoint)socket.RemoteEndPoint!).Address;
                await client.ConnectAsync(socket, host, options.RemotePort, requirement.Enforced ? SecureSocketOptions.StartTls : SecureSocketOptions.StartTlsWhenAvailable, ct);
                tls.Record(domain, requirement, host, address.ToString(), certificateFailure ?? requirement.ReportedFailure
                    ?? (client.IsSecure ? null : new TlsFailure(TlsFailure.StartTlsNotSupported, $"{host} does not offer STARTTLS")));
                var mailFrom = new MailboxAddress("", sender);
                var recipients = targets.Select(t => new MailboxAddress("", t.Address)).ToList();
                var response = await client.SendAsync(FormatOptions.Default, mime, mailFrom, recipients, ct);
                foreach (var t in targets)
                {
                    results[t.Address] = client.Refused.TryGetValue(t.Address, out var refused)
                        ? Classify((int)refused.StatusCode, $"{host} said: {(int)refused.StatusCode} {refused.Response}")
                        : DeliveryResult.Ok($"{host} said: {response}");
                }

                await client.DisconnectAsync(quit: true, ct);
                logger.LogInformation("Relay {QueueId} to {Domain} via {Host} ({Tls}): {Results}", envelope.QueueId, domain, host, client.IsSecure ? requirement.Describe() : "no TLS",
                    string.Join(", ", results.Select(r => $"{r.Key}={(r.Value.Delivered ? "sent" : r.Value.Status)}")));
                return results;
            }
            catch (NotSupportedException) when (requirement.Enforced && !client.IsSecure)
            {
                // MailKit's answer to a required STARTTLS the server does not offer: never sent in clear.
                var failure = new TlsFailure(TlsFailure.StartTlsNotSupported, $"{host} does not offer STARTTLS");
                tls.Record(domain, requirement, host, address?.ToString(), failure);
                lastError = DeliveryResult.Temporary("4.7.10", $"{failure.Reason}, which {requirement.Describe()} requires; not sent in clear");
                logger.LogWarning("Relay {QueueId} to {Domain}: {Reason}", envelope.QueueId, domain, lastError.Detail);
            }
            catch (SslHandshakeException) when (certificateFailure is not null)
            {
                tls.Record(domain, requirement, host, address?.ToString(), certificateFailure);
                lastError = DeliveryResult.Temporary("4.7.5", $"{certificateFailure.Reason} ({requirement.Describe()}); not sent");
                logger.LogWarning("Relay {QueueId} to {Domain}: {Reason}", envelope.QueueId, domain, lastError.Detail);
            }
            catch (SmtpCommandException e) when (e.ErrorCode is SmtpErrorCode.RecipientNotAccepted)
            {
                // Every recipient was refused: each has its own answer.
                foreach (var t in targets)
                    results[t.Address] = client.Refused.TryGetValue(t.Address, out var refused)
                        ? Classify((int)refused.StatusCode, $"{host} said: {(int)refused.StatusCode} {refused.Response}")
                        : Classify((int)e.StatusCode, $"{host} said: {e.Message}");
                return results;
            }
            catch (SmtpCommandException e)
            {
                // A refusal of the sender or the message applies to all recipients; a 4xx tries the next exchanger.
                lastError = Classify((int)e.StatusCode, $"{host} said: {(int)e.StatusCode} {e.Message}");
                if (lastError.Permanent) break;
            }
            catch (Exception e) when (e is SmtpProtocolException or IOException or SocketException or SslHandshakeException or TimeoutException or OperationCanceledException && !ct.IsCancellationRequested)
            {
                lastError = DeliveryResult.Temporary("4.4.1", $"{host}: {e.Message}");
                logger.LogInformation("Relay {QueueId} to {Domain} via {Host} failed: {Reason}", envelope.QueueId, domain, host, e.Message);
            }
        }

        foreach (var t in targets) results[t.Address] = lastError;
        return results;
    }

    /// <summary>The first address of the exchanger that takes the connection, within the client's two minutes.</summary>
    private async Task<Socket> ConnectAsync(IReadOnlyList<IPAddress> addresses, CancellationToken ct)
    {
        Exception? last = null;
        foreach (var address in addresses)
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            using var bound = CancellationTokenSource.CreateLinkedTokenSource(ct);
            bound.CancelAfter(TimeSpan.FromMinutes(2));
            try
            {
                await socket.ConnectAsync(new IPEndPoint(address, options.RemotePort), bound.Token);
                return socket;
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException && !ct.IsCancellationRequested)
            {
                socket.Dispose();
                last = e is OperationCanceledException ? new TimeoutException($"{address}:{options.RemotePort} did not answer within 2 minutes") : e;
            }
        }

        throw last!;
    }

    /// <summary>5xx is permanent, anything else temporary; the remote's enhanced code (RFC 3463) is kept when it gave one.</summary>
    private static DeliveryResult Classify(int code, string detail)
    {
        var permanent = code is >= 500 and < 600;
        var match = EnhancedStatus().Match(detail);
        var status = match.Success && match.Groups[1].Value == (permanent ? "5" : "4") ? match.Value : permanent ? "5.0.0" : "4.0.0";
        return permanent ? DeliveryResult.Failed(status, detail) : DeliveryResult.Temporary(status, detail);
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"\b([245])\.(\d{1,3})\.(\d{1,3})\b")]
    private static partial System.Text.RegularExpressions.Regex EnhancedStatus();

    /// <summary>MailKit stops at the first refused recipient by default; this client notes it and goes on.</summary>
    private sealed class RecordingSmtpClient : SmtpClient
    {
        public Dictionary<string, SmtpResponse> Refused { get; } = new(StringComparer.Ordinal);

        protected override void OnRecipientNotAccepted(MimeMessage message, MailboxAddress mailbox, SmtpResponse response) =>
            Refused[mailbox.Address] = response;
    }
}
