using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using MailEngine.Addressing;
using MailEngine.Control;

namespace MailEngine.Auth;

/// <summary>
/// Checks a mailbox's password against the hash in the running snapshot. A successful check is
/// remembered for a few minutes (keyed by a hash of the password and of the stored hash), because
/// mail clients reconnect often and Argon2id costs a quarter of a second by design. A changed
/// password changes the stored hash, which ends the remembered entry at once.
/// </summary>
public sealed class MailboxAuthenticator(EngineSnapshotStore snapshots, TimeProvider clock)
{
    private static readonly TimeSpan CacheLifetime = TimeSpan.FromMinutes(5);
    private readonly ConcurrentDictionary<string, DateTimeOffset> _verified = new(StringComparer.Ordinal);

    /// <summary>Returns the normalized address of the enabled mailbox the credentials prove, or null.</summary>
    public async ValueTask<string?> AuthenticateAsync(string username, string password, CancellationToken ct)
    {
        if (!EmailAddress.TryParse(username, out var address, out _) || password.Length is 0 or > MailPasswordHasher.MaxPasswordLength)
        {
            await Task.Run(() => MailPasswordHasher.Verify(MailPasswordHasher.TimingDummyHash, password), ct);
            return null;
        }

        var normalized = address.ToString();
        var mailbox = snapshots.Current.Mailbox(normalized);
        if (mailbox is null || !mailbox.Enabled)
        {
            await Task.Run(() => MailPasswordHasher.Verify(MailPasswordHasher.TimingDummyHash, password), ct);
            return null;
        }

        var key = CacheKey(normalized, password, mailbox.PasswordHash);
        var now = clock.GetUtcNow();
        if (_verified.TryGetValue(key, out var until) && until > now) return normalized;

        var ok = await Task.Run(() => MailPasswordHasher.Verify(mailbox.PasswordHash, password), ct);
        if (!ok) return null;
        if (_verified.Count > 10_000) _verified.Clear();
        _verified[key] = now + CacheLifetime;
        return normalized;
    }

    private static string CacheKey(string address, string password, string storedHash) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes($"{address}\0{password}\0{storedHash}")));
}
