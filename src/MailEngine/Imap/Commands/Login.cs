using MailEngine.Imap.Protocol;
using MailEngine.Store;
using Microsoft.Extensions.Logging;

namespace MailEngine.Imap;

internal sealed partial class ImapSession
{
    /// <summary>LOGIN (RFC 3501 6.2.3), only inside TLS.</summary>
    private async ValueTask LoginAsync(ImapCommand command, ImapArguments args, CancellationToken ct)
    {
        var username = args.AString("user name");
        var password = args.AString("password");
        args.End();
        if (!_client.Tls) throw ImapCommandException.Refused("Use STARTTLS first: passwords are only accepted over TLS", "PRIVACYREQUIRED");
        await SignInAsync(command, username, password, ct);
    }

    /// <summary>Checks the credentials with the same verifier (and cache) as SMTP AUTH; on success enters the authenticated state.</summary>
    private async ValueTask SignInAsync(ImapCommand command, string username, string password, CancellationToken ct)
    {
        var result = await _services.Authenticator.AuthenticateAsync(username, password, ct);
        if (result.Busy)
        {
            _services.Counters.AuthUnavailable.Add(1, new("protocol", "imap"));
            throw ImapCommandException.Refused("Too busy to check the password now, try again later", "UNAVAILABLE");
        }

        if (result.Address is not { } address)
        {
            _services.Counters.AuthFailures.Add(1, new("protocol", "imap"));
            _services.Logger.LogWarning("IMAP login failed from {Remote} for {Username}", _remote.Address, username.Length > 100 ? username[..100] : username);
            // The tagged NO comes after the brake's delay; past the per-connection limit, BYE as well.
            if (await _loginBrake.FailedAsync(ct))
            {
                await RespondErrorAsync(command.Tag, ImapCommandException.Refused("Authentication failed", "AUTHENTICATIONFAILED"), ct);
                throw new ImapCommandException("Too many failed logins", code: "BYE");
            }

            throw ImapCommandException.Refused("Authentication failed", "AUTHENTICATIONFAILED");
        }

        // RFC 5530 LIMIT: one user from one address may hold only so many sessions.
        if (!_services.Sessions.TryEnter(address, _remote.Address))
            throw ImapCommandException.Refused("Too many sessions for this user from this address", "LIMIT");
        _user = address;
        _deadline.Extend(Timeout.InfiniteTimeSpan);
        _account = new MailAccount(_services.Folders, address);
        _account.EnsureDefaults();
        _state = ImapState.Authenticated;
        await CompleteAsync(command, "Logged in", ct, code: "CAPABILITY " + Capabilities());
    }
}
