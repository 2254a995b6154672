using MailEngine.Auth;
using Microsoft.Extensions.Logging;

namespace MailEngine.Smtp;

internal sealed partial class SmtpSession
{
    /// <summary>AUTH PLAIN (RFC 4616) and LOGIN (draft-murchison-sasl-login) under RFC 4954, only inside TLS.</summary>
    private async ValueTask<SmtpReply> AuthAsync(string argument, CancellationToken ct)
    {
        if (_kind == ListenerKind.Mx) return SmtpReplies.AuthOnSubmissionOnly;
        if (!_client.Tls) return SmtpReplies.EncryptionRequired;
        if (!_extended) return SmtpReplies.NeedEhlo;
        if (_authenticated is not null) return SmtpReplies.AlreadyAuthenticated;
        if (_state is SmtpState.Mail or SmtpState.Recipients) return SmtpReplies.AuthInTransaction;

        var parts = argument.Split(' ', 2, StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 0) return SmtpReplies.Syntax("Syntax: AUTH mechanism [initial-response]");
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
                    case SaslPlain.Outcome.Undecodable: return SmtpReplies.CannotDecode;
                    case SaslPlain.Outcome.Malformed: return SmtpReplies.MalformedPlain;
                    case SaslPlain.Outcome.OtherIdentity: return SmtpReplies.InvalidCredentials;
                }

                break;
            }

            case "LOGIN":
            {
                var user = initial ?? await ChallengeAsync("VXNlcm5hbWU6", ct); // "Username:"
                if (user is null) return Cancelled();
                var pass = await ChallengeAsync("UGFzc3dvcmQ6", ct);                // "Password:"
                if (pass is null) return Cancelled();
                if (!SaslPlain.TryBase64(user, out username) || !SaslPlain.TryBase64(pass, out password)) return SmtpReplies.CannotDecode;
                break;
            }

            default:
                return SmtpReplies.UnknownMechanism;
        }

        var result = await _services.Authenticator.AuthenticateAsync(username, password, ct);
        if (result.Busy)
        {
            // RFC 4954 6: a temporary failure; the client tries again later and nothing counts against it.
            _services.Counters.AuthUnavailable.Add(1, new("protocol", "smtp"));
            return SmtpReplies.AuthUnavailable;
        }

        if (!result.Succeeded)
        {
            _services.Counters.AuthFailures.Add(1, new("protocol", "smtp"));
            // Never the password, and the attempted name only as the client sent it.
            _services.Logger.LogWarning("SMTP AUTH failed from {Remote} for {Username}", _remote.Address, username.Length > 100 ? username[..100] : username);
            if (await _loginBrake.FailedAsync(ct))
            {
                _state = SmtpState.Closing;
                return SmtpReplies.TooManyFailedLogins(HostName);
            }

            return SmtpReplies.InvalidCredentials;
        }

        _authenticated = result.Address;
        return SmtpReplies.Authenticated;
    }

    private async ValueTask<string?> ChallengeAsync(string challenge, CancellationToken ct)
    {
        await ReplyAsync(SmtpReplies.Challenge(challenge), ct);
        var line = await ReadCommandLineAsync(ct);
        return line is null || line == "*" ? null : line;
    }

    private static SmtpReply Cancelled() => new(501, "5.0.0", "Authentication cancelled");
}
