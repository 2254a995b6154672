using AdminConsole.Testing;
using MailEngine.Hosting;
using MailEngine.Smtp;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;

namespace AdminConsole.Web.Tests.Integration;

/// <summary>Mail a user submits to the console's engine, read back from the Maildir, and its DKIM signatures checked by dkimpy.</summary>
internal static class SignedMail
{
    /// <summary>Submits a message from the address to itself (authenticated, STARTTLS) and returns the delivered file.</summary>
    public static async Task<string> SubmitToSelfAsync(ConsoleHost host, string address, string password, string subject)
    {
        var engine = host.Factory.Services.GetRequiredService<MailEngineHost>();
        var inbox = Path.Combine(engine.Maildirs.MaildirPath(address), "new");
        var before = Directory.Exists(inbox) ? Directory.GetFiles(inbox).ToHashSet(StringComparer.Ordinal) : [];

        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(address));
        message.To.Add(MailboxAddress.Parse(address));
        message.Subject = subject;
        message.Body = new TextPart("plain") { Text = $"{subject}\r\n" };
        var submission = engine.Endpoints[ListenerKind.Submission];
        using (var smtp = new SmtpClient { ServerCertificateValidationCallback = (_, _, _, _) => true })
        {
            await smtp.ConnectAsync(submission.Address.ToString(), submission.Port, SecureSocketOptions.StartTls);
            await smtp.AuthenticateAsync(address, password);
            await smtp.SendAsync(message);
            await smtp.DisconnectAsync(true);
        }

        // Accepted means spooled; delivery to the Maildir follows from the queue.
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            if (Directory.Exists(inbox) && Directory.GetFiles(inbox).FirstOrDefault(f => !before.Contains(f)) is { } delivered) return delivered;
            Assert.True(DateTime.UtcNow < deadline, $"the message '{subject}' was not delivered to {address}");
            await Task.Delay(25);
        }
    }

    /// <summary>dkimpy's verdict on each signature, topmost first: "index d s a pass|fail".</summary>
    /// <param name="keys">A JSON file of record name → TXT value, or dns:ADDRESS:PORT to ask a name server.</param>
    public static async Task<string[]> VerifyAsync(string file, string keys)
    {
        var (exit, output, errors) = await ExternalProgram.RunAsync("/usr/bin/python3", Path.Combine(AppContext.BaseDirectory, "Dkim", "verify_dkim.py"), file, keys);
        Assert.True(exit == 0, errors);
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }
}
