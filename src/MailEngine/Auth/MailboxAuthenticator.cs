using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using MailEngine.Addressing;
using MailEngine.Control;

namespace MailEngine.Auth;

/// <summary>What a login found: the mailbox's address, or no address and whether hashing was too busy to check.</summary>
public readonly record struct AuthenticationResult(string? Address, bool Busy = false)
{
    public bool Succeeded => Address is not null;
}

/// <summary>
/// Checks a mailbox's password against the hash in the running snapshot. A successful check is
/// remembered for a few minutes (keyed by a hash of the password and of the stored hash), because
/// mail clients reconnect often and Argon2id costs a quarter of a second by design. A changed
/// password changes the stored hash, which ends the remembered entry at once.
/// </summary>
public sealed class MailboxAuthenticator(EngineSnapshotStore snapshots, TimeProvider clock, LoginOptions? login = null)
{
    private readonly LoginOptions _login = login ?? new LoginOptions();

    /// <summary>A new connection's brake on failed logins.</summary>
    public LoginBrake NewBrake() => new(_login, clock);

    private static readonly TimeSpan CacheLifetime = TimeSpan.FromMinutes(5);
    private readonly ConcurrentDictionary<string, DateTimeOffset> _verified = new(StringComparer.Ordinal);

    /// <summary>
    /// The normalized address of the enabled mailbox the credentials prove; no address when they prove
    /// none, or (Busy) when every hashing slot stayed taken (<see cref="PasswordHashingSlots"/>).
    /// </summary>
    public async ValueTask<AuthenticationResult> AuthenticateAsync(string username, string password, CancellationToken ct)
    {
        if (!EmailAddress.TryParse(username, out var address, out _) || password.Length is 0 or > MailPasswordHasher.MaxPasswordLength)
            return await DummyAsync(password, ct);

        var normalized = address.ToString();
        var mailbox = snapshots.Current.Mailbox(normalized);
        if (mailbox is null || !mailbox.Enabled) return await DummyAsync(password, ct);

        var key = CacheKey(normalized, password, mailbox.PasswordHash);
        var now = clock.GetUtcNow();
        if (_verified.TryGetValue(key, out var until) && until > now) return new AuthenticationResult(normalized);

        switch (await MailPasswordHasher.VerifyAsync(mailbox.PasswordHash, password, ct, _login.HashingWait))
        {
            case PasswordCheck.Busy: return new AuthenticationResult(null, Busy: true);
            case PasswordCheck.Mismatch: return default;
        }

        if (_verified.Count > 10_000) _verified.Clear();
        _verified[key] = now + CacheLifetime;
        return new AuthenticationResult(normalized);
    }

    /// <summary>An unknown account costs the same hash as a known one, in the same bounded slots.</summary>
    private async ValueTask<AuthenticationResult> DummyAsync(string password, CancellationToken ct) =>
        await MailPasswordHasher.VerifyAsync(MailPasswordHasher.TimingDummyHash, password, ct, _login.HashingWait) == PasswordCheck.Busy
            ? new AuthenticationResult(null, Busy: true)
            : default;

    private static string CacheKey(string address, string password, string storedHash) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes($"{address}\0{password}\0{storedHash}")));
}
