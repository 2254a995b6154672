using MailEngine.Delivery;
using MimeKit;

namespace MailEngine.Tests.Delivery;

/// <summary>The MDN of a mailed Sieve reject, parsed back as a client would (RFC 8098, RFC 5429 2.2.1).</summary>
public sealed class DispositionNotificationTests
{
    [Fact]
    public void A_rejection_is_a_disposition_notification_report_for_the_original()
    {
        var original = new MimeMessage();
        original.From.Add(MailboxAddress.Parse("dave@example.test"));
        original.To.Add(MailboxAddress.Parse("bob@example.test"));
        original.Subject = "go away";
        original.MessageId = "m1@example.test";
        original.Body = new TextPart("plain") { Text = "hello" };

        var bytes = DispositionNotification.BuildRejection(original, "dave@example.test", "bob@example.test", "Not interested.", "mx.example.test", DateTimeOffset.UtcNow);
        var mdn = MimeMessage.Load(new MemoryStream(bytes));
        var report = Assert.IsType<MultipartReport>(mdn.Body);
        Assert.Equal("disposition-notification", report.ReportType);
        var fields = Assert.Single(report.OfType<MimeKit.MessageDispositionNotification>()).Fields;
        Assert.Equal("automatic-action/MDN-sent-automatically; deleted", fields["Disposition"]);
        Assert.Equal("<m1@example.test>", fields["Original-Message-ID"]);
        Assert.Equal("rfc822; bob@example.test", fields["Final-Recipient"]);
        Assert.Equal("m1@example.test", mdn.InReplyTo);
        Assert.Equal("auto-replied", mdn.Headers["Auto-Submitted"]);
        Assert.Contains("Not interested.", mdn.TextBody, StringComparison.Ordinal);
    }
}
