using System.Text;
using AdminConsole.Core.Engine;
using AdminConsole.Testing;
using MailEngine.Auth;
using MailEngine.Hosting;
using MailEngine.Smtp;
using MailKit;
using MailKit.Net.Imap;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;

namespace AdminConsole.Web.Tests.Integration;

/// <summary>
/// #19 item 8: what the console and its engine log (every line down to Debug, with the structured
/// values) tells a message's story by queue id and recipient, and never holds a message body, a
/// password (right or wrong) or an AUTH exchange.
/// </summary>
public sealed class LogSecrecyTests(ConsoleHost host) : IClassFixture<ConsoleHost>
{
    [Fact]
    public async Task Logs_follow_a_message_but_hold_no_body_no_password_and_no_AUTH_exchange()
    {
        var domain = $"l{Guid.NewGuid():N}"[..12] + ".test";
        var password = $"right-{Guid.NewGuid():N}";
        var wrong = $"wrong-{Guid.NewGuid():N}";
        var body = $"body-marker-{Guid.NewGuid():N}";
        await host.Database.SeedAsync(domain, new MailboxSeed("writer", PasswordHash: MailPasswordHasher.Hash(password)), new MailboxSeed("reader", PasswordHash: MailPasswordHasher.Hash(password)));
        host.Factory.Services.GetRequiredService<EnginePushScheduler>().Request();
        await host.WaitForEngineAsync(s => s.Resolve(MailEngine.Addressing.EmailAddress.Parse($"reader@{domain}")).Kind == MailEngine.Control.RecipientKind.LocalMailbox, $"reader@{domain}");
        var engine = host.Factory.Services.GetRequiredService<MailEngineHost>();

        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse($"writer@{domain}"));
        message.To.Add(MailboxAddress.Parse($"reader@{domain}"));
        message.Subject = "a logged message";
        message.Body = new TextPart("plain") { Text = $"{body}\r\n" };
        using (var smtp = new SmtpClient { ServerCertificateValidationCallback = (_, _, _, _) => true })
        {
            var submission = engine.Endpoints[ListenerKind.Submission];
            await smtp.ConnectAsync(submission.Address.ToString(), submission.Port, SecureSocketOptions.StartTls);
            await Assert.ThrowsAsync<AuthenticationException>(() => smtp.AuthenticateAsync($"writer@{domain}", wrong));
            await smtp.AuthenticateAsync($"writer@{domain}", password);
            await smtp.SendAsync(message);
            await smtp.DisconnectAsync(true);
        }

        using (var imap = new ImapClient { ServerCertificateValidationCallback = (_, _, _, _) => true })
        {
            var endpoint = engine.ImapEndpoints["imap"];
            await imap.ConnectAsync(endpoint.Address.ToString(), endpoint.Port, SecureSocketOptions.StartTls);
            await Assert.ThrowsAsync<AuthenticationException>(() => imap.AuthenticateAsync($"reader@{domain}", wrong));
            await imap.AuthenticateAsync($"reader@{domain}", password);
            var deadline = DateTime.UtcNow.AddMinutes(3);
            while (true)
            {
                await imap.Inbox.OpenAsync(FolderAccess.ReadOnly);
                if (imap.Inbox.Count == 1) break;
                Assert.True(DateTime.UtcNow < deadline, "the message never arrived");
                await imap.Inbox.CloseAsync();
                await Task.Delay(100);
            }

            // Read over IMAP too, so a FETCH of the body is among what could have been logged.
            Assert.Contains(body, (await imap.Inbox.GetMessageAsync(0)).TextBody, StringComparison.Ordinal);
            await imap.DisconnectAsync(true);
        }

        var log = host.Factory.Log.Text;
        // The story: the delivery, by queue id, to the recipient.
        Assert.Contains(host.Factory.Log.Lines, l => l.Contains($"to <reader@{domain}> (local): delivered", StringComparison.Ordinal) && l.Contains("QueueId=", StringComparison.Ordinal));
        foreach (var secret in new[] { body, password, wrong,
                     Convert.ToBase64String(Encoding.UTF8.GetBytes($"\0writer@{domain}\0{password}")),
                     Convert.ToBase64String(Encoding.UTF8.GetBytes($"\0writer@{domain}\0{wrong}")),
                     Convert.ToBase64String(Encoding.UTF8.GetBytes(password)) })
            Assert.DoesNotContain(secret, log, StringComparison.Ordinal);
    }
}
