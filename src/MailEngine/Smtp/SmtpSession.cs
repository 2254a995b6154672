using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using System.Net.Security;
using System.Security.Authentication;
using System.Text;
using MailEngine.Auth;
using MailEngine.Control;
using MailEngine.Delivery;
using MailEngine.Store;
using MailEngine.Hosting;
using MailEngine.Queue;
using MailEngine.Telemetry;
using MailEngine.Tls;
using Microsoft.Extensions.Logging;

namespace MailEngine.Smtp;

/// <summary>Which listener a session came in on; it decides what the session may do.</summary>
public enum ListenerKind
{
    /// <summary>Port 25: mail for local domains from anyone; relaying only from trusted networks.</summary>
    Mx,

    /// <summary>Port 587: STARTTLS, then AUTH, then mail from the user's own addresses (RFC 6409).</summary>
    Submission,

    /// <summary>Port 465: the same as submission inside implicit TLS (RFC 8314).</summary>
    Submissions,
}

/// <summary>What the engine's parts give every session.</summary>
public sealed record SmtpServices(
    EngineOptions Options,
    EngineSnapshotStore Snapshots,
    MailboxAuthenticator Authenticator,
    CertificateProvider Certificates,
    Spool Spool,
    MaildirStore Maildirs,
    IDeliveryScheduler Delivery,
    EngineCounters Counters,
    TimeProvider Clock,
    ILogger Logger,
    Policy.EndOfDataChecks EndOfData);

/// <summary>
/// One SMTP connection (RFC 5321): reads command lines through System.IO.Pipelines, answers each
/// through the per-command handlers in Commands/, and holds the session and transaction state.
/// Protocol errors are replies, never exceptions that end other sessions.
/// </summary>
internal sealed partial class SmtpSession
{
    private readonly SmtpServices _services;
    private readonly Socket _socket;
    private readonly ListenerKind _kind;
    private readonly IPEndPoint _remote;
    /// <summary>The client's stream (TLS after STARTTLS), its pipe and line reading, shared with IMAP.</summary>
    private readonly ClientConnection _client;
    private string? _helo;
    private bool _extended;
    private string? _authenticated;
    private int _badCommands;
    private int _refusedRecipients;
    private SmtpState _state = SmtpState.Connected;

    // The mail transaction (RFC 5321 3.3): cleared by RSET, HELO/EHLO, and the end of DATA.
    private SmtpPath? _mailFrom;
    private readonly List<DeliveryTarget> _targets = [];
    private readonly List<string> _recipients = [];
    private bool _smtpUtf8;

    /// <summary>The SIZE the client declared (RFC 1870), checked against each recipient's free quota.</summary>
    private long _declaredSize;

    public SmtpSession(SmtpServices services, Socket socket, ListenerKind kind)
    {
        _services = services;
        _socket = socket;
        _kind = kind;
        _remote = (IPEndPoint)socket.RemoteEndPoint!;
        _loginBrake = services.Authenticator.NewBrake();
        _deadline = new SessionDeadline(services.Clock, services.Options.Limits.MaxSessionDuration);
        _client = new ClientConnection(new NetworkStream(socket, ownsSocket: true), _deadline);
    }

    /// <summary>The session's absolute deadline and per-wait bounds.</summary>
    private readonly SessionDeadline _deadline;

    private readonly LoginBrake _loginBrake;

    private SmtpLimits Limits => _services.Options.Limits;
    private SnapshotIndex Snapshot => _services.Snapshots.Current;
    private string HostName => _services.Options.HostName;

    public async Task RunAsync(CancellationToken stopping)
    {
        try
        {
            if (_kind == ListenerKind.Submissions && !await StartTlsAsync(stopping)) return;
            await ReplyAsync(SmtpReplies.Greeting(HostName), stopping);
            while (_state != SmtpState.Closing && !stopping.IsCancellationRequested)
            {
                var line = await ReadCommandLineAsync(stopping);
                if (line is null) return;
                // NUL, ESC and friends are never part of a command; refused, so no reply echoes them.
                var reply = SmtpReply.HasControlCharacters(line)
                    ? SmtpReplies.ControlCharacters
                    : await DispatchAsync(line, stopping);
                // A refused recipient counts as an error too, and each one past the first few is
                // answered more slowly (Postfix's smtpd_soft_error_limit and error_sleep_time), so that
                // one session cannot try hundreds of addresses to learn which exist.
                var refusedRecipient = reply is { Code: >= 500 } && line.StartsWith("RCPT", StringComparison.OrdinalIgnoreCase);
                if (refusedRecipient && ++_refusedRecipients > Limits.RecipientErrorsWithoutDelay)
                    await Task.Delay(Limits.RecipientErrorDelay * Math.Min(_refusedRecipients - Limits.RecipientErrorsWithoutDelay, 8), _services.Clock, stopping);
                if (reply is not null) await ReplyAsync(reply, stopping);
                if (!reply?.IsPositive ?? false)
                {
                    if ((reply!.Code is 500 or 501 or 502 or 503 or 504 || refusedRecipient) && ++_badCommands >= Limits.MaxBadCommands)
                    {
                        await ReplyAsync(SmtpReplies.TooManyErrors(HostName), stopping);
                        return;
                    }
                }
            }

            // The server stops between two commands: the reply in flight was sent, then 421.
            if (_state != SmtpState.Closing && stopping.IsCancellationRequested) await TryReplyAsync(SmtpReplies.ShuttingDown(HostName));
        }
        catch (SessionTimeoutException)
        {
            await TryReplyAsync(SmtpReplies.Timeout(HostName));
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            await TryReplyAsync(SmtpReplies.ShuttingDown(HostName));
        }
        catch (Exception e) when (e is IOException or SocketException or AuthenticationException or ObjectDisposedException)
        {
            _services.Logger.LogDebug("SMTP session from {Remote} ended: {Reason}", _remote, e.Message);
        }
        catch (Exception e)
        {
            // A defect in one session must not go unseen, nor take other sessions with it.
            _services.Logger.LogError(e, "SMTP session from {Remote} failed", _remote);
            await TryReplyAsync(SmtpReplies.InternalError(HostName));
        }
        finally
        {
            await _client.DisposeAsync();
        }
    }

    private async ValueTask<SmtpReply?> DispatchAsync(string line, CancellationToken ct)
    {
        var space = line.IndexOf(' ', StringComparison.Ordinal);
        var verb = (space < 0 ? line : line[..space]).ToUpperInvariant();
        var argument = space < 0 ? string.Empty : line[(space + 1)..];
        return verb switch
        {
            "EHLO" => Ehlo(argument, extended: true),
            "HELO" => Ehlo(argument, extended: false),
            "STARTTLS" => await StartTlsCommandAsync(argument, ct),
            "AUTH" => await AuthAsync(argument, ct),
            "MAIL" => Mail(argument),
            "RCPT" => Rcpt(argument),
            "DATA" => await DataAsync(argument, ct),
            "RSET" => Rset(argument),
            "NOOP" => SmtpReplies.Ok,
            "VRFY" => SmtpReplies.Vrfy,
            "EXPN" => SmtpReplies.ExpnUnavailable,
            "HELP" => SmtpReplies.Help,
            "QUIT" => Quit(),
            "" => SmtpReplies.EmptyCommand,
            _ => SmtpReplies.UnknownCommand,
        };
    }

    /// <summary>Ends the mail transaction (RSET, EHLO, the end of DATA, STARTTLS); the session stays greeted.</summary>
    private void ResetTransaction()
    {
        if (_state is SmtpState.Mail or SmtpState.Recipients) _state = SmtpState.Greeted;
        _mailFrom = null;
        _targets.Clear();
        _recipients.Clear();
        _smtpUtf8 = false;
        _declaredSize = 0;
    }

    /// <summary>Reads one command line (CRLF, or a lone LF, which clients send and is harmless outside DATA).</summary>
    private async ValueTask<string?> ReadCommandLineAsync(CancellationToken ct)
    {
        while (true)
        {
            // The whole line must come within the command timeout (RFC 5321 4.5.3.2.7), not each read of it.
            var line = await _client.ReadLineAsync(Limits.MaxCommandLineBytes, _deadline.WaitUntil(Limits.CommandTimeout), ct);
            if (line is null) return null;
            if (!line.Overlong) return Encoding.UTF8.GetString(line.Bytes);
            // RFC 5321 4.5.3.1.4 / 4.2.2: the line is refused, the session goes on.
            await ReplyAsync(SmtpReplies.LineTooLong, ct);
            if (++_badCommands >= Limits.MaxBadCommands) return null;
        }
    }


    /// <summary>
    /// Sends a reply, whole: never cancelled (<paramref name="ct"/>, the server stopping, is for the
    /// reads). A write cut short would leave half a TLS record, and the client would read garbage instead
    /// of the 421 that follows; and a "250 queued" must reach the client once the message is kept.
    /// </summary>
    private async ValueTask ReplyAsync(SmtpReply reply, CancellationToken ct)
    {
        _ = ct;
        await _client.Stream.WriteAsync(reply.ToBytes(), CancellationToken.None);
        await _client.Stream.FlushAsync(CancellationToken.None);
    }

    private async ValueTask TryReplyAsync(SmtpReply reply)
    {
        try
        {
            await ReplyAsync(reply, CancellationToken.None).AsTask().WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or TimeoutException or ObjectDisposedException or SocketException)
        {
        }
    }

    /// <summary>Wraps the connection in TLS 1.2/1.3 (RFC 3207 for STARTTLS, RFC 8314 for port 465).</summary>
    private ValueTask<bool> StartTlsAsync(CancellationToken ct) =>
        _client.StartTlsAsync(_services.Snapshots, _services.Certificates, Limits.TlsHandshakeTimeout, _remote, _services.Logger, ct);

}
