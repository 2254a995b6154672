using System.Security.Authentication;
using MailKit.Net.Imap;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;

namespace MailEngine.Tests.Support;

/// <summary>MailKit clients for IMAP tests, and mail sent in over the engine's MX port.</summary>
public static class ImapTesting
{
    public static async Task<ImapClient> ConnectImapAsync(this TestEngine engine, string? user = "alice@example.test", bool implicitTls = false)
    {
        var client = new ImapClient(Environment.GetEnvironmentVariable("IMAP_PROTOCOL_LOG") is { } log ? new MailKit.ProtocolLogger(log) : new MailKit.NullProtocolLogger()) { ServerCertificateValidationCallback = (_, _, _, _) => true, SslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13 };
        var endpoint = implicitTls ? engine.Imaps : engine.Imap;
        await client.ConnectAsync(endpoint.Address.ToString(), endpoint.Port, implicitTls ? SecureSocketOptions.SslOnConnect : SecureSocketOptions.StartTls);
        if (user is not null) await client.AuthenticateAsync(user, TestEngine.Password);
        return client;
    }

    /// <summary>Sends a message over SMTP to the MX listener and waits until it is in the recipient's Maildir.</summary>
    public static async Task DeliverAsync(this TestEngine engine, string to, string subject, string body = "Hello.\r\n", string from = "sender@elsewhere.test", Action<MimeMessage>? shape = null)
    {
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(from));
        message.To.Add(MailboxAddress.Parse(to));
        message.Subject = subject;
        message.Body = new TextPart("plain") { Text = body };
        shape?.Invoke(message);
        using var smtp = new SmtpClient();
        await smtp.ConnectAsync(engine.Mx.Address.ToString(), engine.Mx.Port, SecureSocketOptions.None);
        await smtp.SendAsync(message);
        await smtp.DisconnectAsync(true);
        var deadline = DateTime.UtcNow + TestEngine.DeliveryWait;
        while (engine.Host.Queue.Length > 0 && DateTime.UtcNow < deadline) await Task.Delay(20);
        if (engine.Host.Queue.Length > 0) throw new TimeoutException("The message was not delivered.");
    }
}
