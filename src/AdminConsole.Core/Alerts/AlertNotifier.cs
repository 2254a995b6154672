using System.Net.Http.Json;
using System.Text.Json;
using AdminConsole.Core.Data;
using AdminConsole.Core.Engine;
using MailEngine.Contracts;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MimeKit;

namespace AdminConsole.Core.Alerts;

/// <summary>
/// Tells the channels what an evaluation changed: an alert that fired, one still firing after the
/// repeat interval (unless acknowledged), one that resolved (when they had been told it fired).
/// Silenced alerts tell nobody. Mail goes through our own engine (DKIM-signed like any mail it
/// sends); webhooks get JSON, or Slack's/Matrix's message shape. Each attempt is kept.
/// </summary>
public sealed class AlertNotifier(AdminDbContext db, EngineNodes nodes, IHttpClientFactory http, IDataProtectionProvider protection,
    IOptions<AlertOptions> options, TimeProvider clock, ILogger<AlertNotifier> logger)
{
    public const string HttpClientName = "alert-webhooks";
    internal const string UrlPurpose = "AdminConsole.Alerts.WebhookUrl.v1";

    private readonly IDataProtector _urls = protection.CreateProtector(UrlPurpose);

    /// <summary>One message to the channels.</summary>
    /// <param name="Kind">firing, repeat or resolved.</param>
    public sealed record Notice(string Kind, string RuleId, string Title, string Severity, string Subject, string Message, string Advice, DateTimeOffset Since, DateTimeOffset At);

    public async Task NotifyAsync(AlertEvaluator.Outcome outcome, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var silences = await db.AlertSilences.AsNoTracking().Where(s => s.Until > now).ToListAsync(ct);
        bool Silenced(string rule, string subject) => silences.Any(s => s.Matches(rule, subject, now));
        var notices = new List<(Notice Notice, AlertState? State)>();
        foreach (var state in outcome.Firing)
        {
            if (Silenced(state.RuleId, state.Subject)) continue;
            var kind = state.NotifiedAt is null ? "firing"
                : state.AcknowledgedAt is null && state.NotifiedAt + options.Value.RepeatInterval <= now ? "repeat" : null;
            if (kind is not null) notices.Add((For(kind, state.RuleId, state.Subject, state.Message, state.Since, now), state));
        }

        foreach (var (ended, notified) in outcome.Resolved)
            if (notified && !Silenced(ended.RuleId, ended.Subject)) notices.Add((For("resolved", ended.RuleId, ended.Subject, ended.Message, ended.At, now), null));
        if (notices.Count == 0) return;

        var channels = await db.AlertChannels.AsNoTracking().Where(c => c.Enabled).OrderBy(c => c.Name).ToListAsync(ct);
        foreach (var (notice, state) in notices)
        {
            var rule = AlertRules.Find(notice.RuleId);
            foreach (var channel in channels.Where(c => Routes(c, rule)))
            {
                var error = await SendAsync(channel, notice, ct);
                db.AlertNotifications.Add(new AlertNotification { Id = Guid.NewGuid(), At = now, Channel = channel.Name, RuleId = notice.RuleId, Subject = notice.Subject, Kind = notice.Kind, Error = error });
            }

            // Told (or tried): the repeat interval runs from now, whatever a channel answered.
            if (state is not null) state.NotifiedAt = now;
        }

        await db.SaveChangesAsync(ct);
    }

    private static Notice For(string kind, string ruleId, string subject, string message, DateTimeOffset since, DateTimeOffset now)
    {
        var rule = AlertRules.Find(ruleId);
        return new Notice(kind, ruleId, rule?.Title ?? ruleId, (rule?.Severity ?? AlertSeverity.Warning).ToString().ToLowerInvariant(), subject, message, rule?.Advice ?? "", since, now);
    }

    private static bool Routes(AlertChannel channel, AlertRule? rule) =>
        (rule?.Severity ?? AlertSeverity.Warning) >= channel.MinSeverity && (channel.Rules.Count == 0 || (rule is not null && channel.Rules.Contains(rule.Id)));

    /// <summary>Sends one notice; the reason it failed, or null.</summary>
    public async Task<string?> SendAsync(AlertChannel channel, Notice notice, CancellationToken ct)
    {
        try
        {
            return channel.Kind == AlertChannelKind.Email ? await MailAsync(channel, notice, ct) : await PostAsync(channel, notice, ct);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or EngineNodeException or InvalidOperationException or System.Security.Cryptography.CryptographicException)
        {
            logger.LogWarning("Alert {Rule} for {Subject} could not reach channel {Channel}: {Error}", notice.RuleId, notice.Subject, channel.Name, e.Message);
            return e.Message;
        }
    }

    public static string Headline(Notice notice) => notice.Kind switch
    {
        "resolved" => $"[RESOLVED] {notice.Title}: {notice.Subject}",
        _ => $"[{notice.Severity.ToUpperInvariant()}] {notice.Title}: {notice.Subject}",
    };

    private string Text(Notice notice)
    {
        var lines = new List<string> { notice.Message };
        if (notice.Kind != "resolved" && notice.Advice.Length > 0) lines.Add(notice.Advice);
        lines.Add(notice.Kind == "resolved" ? $"Resolved at {notice.At:yyyy-MM-dd HH:mm} UTC." : $"Since {notice.Since:yyyy-MM-dd HH:mm} UTC{(notice.Kind == "repeat" ? " (still firing)" : "")}.");
        if (options.Value.ConsoleUrl is { Length: > 0 } url) lines.Add($"{url.TrimEnd('/')}/alerts");
        return string.Join("\n\n", lines);
    }

    private async Task<string?> PostAsync(AlertChannel channel, Notice notice, CancellationToken ct)
    {
        var url = System.Text.Encoding.UTF8.GetString(_urls.Unprotect(channel.SealedUrl ?? throw new InvalidOperationException("the webhook has no URL")));
        object body = channel.Format switch
        {
            WebhookFormat.Slack => new { text = $"*{Headline(notice)}*\n{Text(notice)}" },
            WebhookFormat.Matrix => new { msgtype = "m.text", body = $"{Headline(notice)}\n{Text(notice)}" },
            _ => new
            {
                status = notice.Kind == "resolved" ? "resolved" : "firing",
                notice.Kind,
                alert = notice.RuleId,
                notice.Title,
                notice.Severity,
                notice.Subject,
                notice.Message,
                notice.Advice,
                notice.Since,
                at = notice.At,
            },
        };
        using var response = await http.CreateClient(HttpClientName).PostAsJsonAsync(url, body, JsonSerializerOptions.Web, ct);
        // The URL's path and query may hold the token: say which host answered, never the URL.
        return response.IsSuccessStatusCode ? null : $"{channel.UrlHost} answered {(int)response.StatusCode} {response.ReasonPhrase}";
    }

    private async Task<string?> MailAsync(AlertChannel channel, Notice notice, CancellationToken ct)
    {
        var sender = options.Value.SenderAddress is { Length: > 0 } configured ? configured
            : await db.Domains.AsNoTracking().OrderBy(d => d.Name).Select(d => "alerts@" + d.Name).FirstOrDefaultAsync(ct)
              ?? throw new InvalidOperationException("there is no domain to send alert mail from (set Alerts:SenderAddress)");
        var message = new MimeMessage();
        message.From.Add(new MailboxAddress("Mail platform alerts", sender));
        foreach (var to in channel.Recipients) message.To.Add(MailboxAddress.Parse(to));
        message.Subject = Headline(notice);
        message.Date = notice.At;
        message.MessageId = MimeKit.Utils.MimeUtils.GenerateMessageId(MailboxAddress.Parse(sender).Domain);
        // RFC 3834: an automatic message; vacation replies and other responders stay quiet.
        message.Headers.Add("Auto-Submitted", "auto-generated");
        message.Body = new TextPart("plain") { Text = Text(notice) };
        using var buffer = new MemoryStream();
        await message.WriteToAsync(new FormatOptions { NewLineFormat = NewLineFormat.Dos }, buffer, ct);

        var node = nodes.All.FirstOrDefault(n => nodes.StateOf(n) is { Reachable: true, Status.Running: true }) ?? nodes.All.FirstOrDefault()
            ?? throw new InvalidOperationException("no engine node to send alert mail through");
        var refused = await node.SendMailAsync(new OutgoingMail(sender, channel.Recipients, buffer.ToArray(), "alert"), ct);
        return refused.Count == 0 ? null : $"the engine could not queue mail to {string.Join(", ", refused)}";
    }
}
