using System.Net.Sockets;
using MailEngine.Dns;
using MailEngine.Queue;
using Envelope = MailEngine.Queue.Envelope;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;
using Microsoft.Extensions.Logging;

namespace MailEngine.Delivery;

/// <summary>
/// Relays copies to other domains' mail exchangers: MX lookup (implicit MX when there is none),
/// opportunistic STARTTLS (RFC 3207, RFC 7435: encrypt when offered, do not insist on a valid
/// certificate), one SMTP transaction per domain with a result per recipient.
/// </summary>
/// <param name="arc">Seals forwarded copies (RFC 8617); null: they go unsealed.</param>
public sealed partial class RemoteDelivery(IDnsResolver dns, string hostName, QueueOptions options, ILogger logger, Dkim.ArcSealing? arc = null)
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
        foreach (var host in exchangers.Hosts)
        {
            using var client = new RecordingSmtpClient { LocalDomain = hostName, Timeout = 120_000, CheckCertificateRevocation = false };
            client.ServerCertificateValidationCallback = (_, _, _, _) => true;
            try
            {
                await client.ConnectAsync(host, options.RemotePort, SecureSocketOptions.StartTlsWhenAvailable, ct);
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
                logger.LogInformation("Relay {QueueId} to {Domain} via {Host}: {Results}", envelope.QueueId, domain, host,
                    string.Join(", ", results.Select(r => $"{r.Key}={(r.Value.Delivered ? "sent" : r.Value.Status)}")));
                return results;
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
