namespace MailEngine.Auth;

/// <summary>
/// One connection's failed logins: each failure is answered only after a wait that doubles
/// (2 s, 4 s, ... up to <see cref="LoginOptions.MaxFailureDelay"/>), and the connection is closed after
/// <see cref="LoginOptions.MaxFailuresPerConnection"/> of them, so that guessing passwords over one
/// connection gets slower and then impossible. A ban list shared by connections, protocols and nodes
/// plugs in at <see cref="MailboxAuthenticator"/>, which makes the brakes.
/// </summary>
public sealed class LoginBrake(LoginOptions options, TimeProvider clock)
{
    public int Failures { get; private set; }

    /// <summary>Waits out the failure's delay; true when the connection must now be closed.</summary>
    public async ValueTask<bool> FailedAsync(CancellationToken ct)
    {
        Failures++;
        var delay = options.FailureDelay * Math.Pow(2, Math.Min(Failures - 1, 16));
        if (delay > options.MaxFailureDelay) delay = options.MaxFailureDelay;
        if (delay > TimeSpan.Zero) await Task.Delay(delay, clock, ct);
        return Failures >= options.MaxFailuresPerConnection;
    }
}
