using MailEngine.Auth;
using Microsoft.Extensions.Logging;

namespace MailEngine.Smtp;

internal sealed partial class SmtpSession
{
    /// <summary>AUTH PLAIN (RFC 4616) and LOGIN (draft-murchison-sasl-login) under RFC 4954, only inside TLS.</summary>
    private async ValueTask<SmtpReply> AuthAsync(string argument, CancellationToken ct)
    {
        if (_kind == ListenerKind.Mx) return new SmtpReply(502, "5.5.1", "AUTH is offered on the submission ports only");
        if (!_tls) return new SmtpReply(538, "5.7.11", "Encryption required for requested authentication mechanism");
        if (!_extended) return new SmtpReply(503, "5.5.1", "Send EHLO first");
        if (_authenticated is not null) return new SmtpReply(503, "5.5.1", "Already authenticated");
        if (_mailFrom is not null) return new SmtpReply(503, "5.5.1", "AUTH is not allowed during a mail transaction");

        var parts = argument.Split(' ', 2, StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 0) return SmtpReply.Syntax("Syntax: AUTH mechanism [initial-response]");
        var mechanism = parts[0].ToUpperInvariant();
        var initial = parts.Length > 1 ? parts[1] : null;

        string? username;
        string? password;
        switch (mechanism)
        {
            case "PLAIN":
            {
                var response = initial ?? await ChallengeAsync("", ct);
                if (response is null) return Cancelled();
                switch (SaslPlain.TryDecode(response, out username, out password))
                {
                    case SaslPlain.Outcome.Undecodable: return new SmtpReply(501, "5.5.2", "Cannot decode the response");
                    case SaslPlain.Outcome.Malformed: return new SmtpReply(501, "5.5.2", "Malformed PLAIN response");
                    case SaslPlain.Outcome.OtherIdentity: return new SmtpReply(535, "5.7.8", "Authentication credentials invalid");
                }

                break;
            }

            case "LOGIN":
            {
                var user = initial ?? await ChallengeAsync("VXNlcm5hbWU6", ct); // "Username:"
                if (user is null) return Cancelled();
                var pass = await ChallengeAsync("UGFzc3dvcmQ6", ct);                // "Password:"
                if (pass is null) return Cancelled();
                if (!SaslPlain.TryBase64(user, out username) || !SaslPlain.TryBase64(pass, out password)) return new SmtpReply(501, "5.5.2", "Cannot decode the response");
                break;
            }

            default:
                return new SmtpReply(504, "5.5.4", "Unrecognized authentication type");
        }

        var result = await _services.Authenticator.AuthenticateAsync(username, password, ct);
        if (result.Busy)
        {
            // RFC 4954 6: a temporary failure; the client tries again later and nothing counts against it.
            _services.Counters.AuthUnavailable.Add(1, new("protocol", "smtp"));
            return new SmtpReply(454, "4.7.0", "Temporary authentication failure, try again later");
        }

        if (!result.Succeeded)
        {
            _services.Counters.AuthFailures.Add(1, new("protocol", "smtp"));
            // Never the password, and the attempted name only as the client sent it.
            _services.Logger.LogWarning("SMTP AUTH failed from {Remote} for {Username}", _remote.Address, username.Length > 100 ? username[..100] : username);
            if (await _loginBrake.FailedAsync(ct))
            {
                _quit = true;
                return new SmtpReply(421, "4.7.0", $"{HostName} Too many failed logins, closing connection");
            }

            return new SmtpReply(535, "5.7.8", "Authentication credentials invalid");
        }

        _authenticated = result.Address;
        return new SmtpReply(235, "2.7.0", "Authentication successful");
    }

    private async ValueTask<string?> ChallengeAsync(string challenge, CancellationToken ct)
    {
        await ReplyAsync(new SmtpReply(334, null, challenge), ct);
        var line = await ReadCommandLineAsync(ct);
        return line is null || line == "*" ? null : line;
    }

    private static SmtpReply Cancelled() => new(501, "5.0.0", "Authentication cancelled");
}
