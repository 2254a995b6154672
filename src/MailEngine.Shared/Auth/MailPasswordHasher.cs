using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Konscious.Security.Cryptography;

namespace MailEngine.Auth;

/// <summary>
/// Hashes and verifies passwords in Dovecot's "{SCHEME}hash" form, so that the stored hashes can be
/// handed to Dovecot (or checked with <c>doveadm pw -t</c>) unchanged. New hashes are Argon2id with
/// Dovecot's defaults (m=64 MiB, t=3, p=1); BLF-CRYPT (bcrypt) hashes are verified so accounts
/// imported from other systems keep working and get rehashed at their next sign-in. Every hash runs
/// in one of <see cref="PasswordHashingSlots"/> (one per core), with libsodium when it is there.
/// </summary>
public static class MailPasswordHasher
{
    public const string Argon2IdScheme = "{ARGON2ID}";
    public const string BlowfishScheme = "{BLF-CRYPT}";

    /// <summary>Passwords longer than this are refused before hashing: hashing megabytes is a denial of service.</summary>
    public const int MaxPasswordLength = 128;

    private const int MemoryKiB = 65536;
    private const int Iterations = 3;
    private const int Parallelism = 1;
    private const int SaltBytes = 16;
    private const int HashBytes = 32;

    /// <summary>A valid hash of a random password, verified against when an account does not exist so that
    /// the time taken does not tell an attacker which accounts exist.</summary>
    public static readonly string TimingDummyHash = Hash(Convert.ToBase64String(RandomNumberGenerator.GetBytes(24)));

    public static string Hash(string password)
    {
        ArgumentException.ThrowIfNullOrEmpty(password);
        if (password.Length > MaxPasswordLength) throw new ArgumentException($"A password is at most {MaxPasswordLength} characters.", nameof(password));
        return PasswordHashingSlots.Run(() => HashInSlot(password));
    }

    private static string HashInSlot(string password)
    {
        var salt = RandomNumberGenerator.GetBytes(SaltBytes);
        var hash = Argon2Id(password, salt, MemoryKiB, Iterations, Parallelism, HashBytes);
        // PHC string format, as libargon2 and Dovecot write it: standard Base64 without padding.
        return string.Create(CultureInfo.InvariantCulture,
            $"{Argon2IdScheme}$argon2id$v=19$m={MemoryKiB},t={Iterations},p={Parallelism}${ToPhcBase64(salt)}${ToPhcBase64(hash)}");
    }

    /// <summary>Verifies in a hashing slot, waiting as long as it takes (the console's own checks).</summary>
    public static bool Verify(string storedHash, string password) => PasswordHashingSlots.Run(() => VerifyInSlot(storedHash, password));

    /// <summary>
    /// Verifies for a client that is waiting (a login): if no hashing slot frees up within
    /// <paramref name="wait"/> (default <see cref="PasswordHashingSlots.LoginWait"/>), <see cref="PasswordCheck.Busy"/>.
    /// </summary>
    public static async ValueTask<PasswordCheck> VerifyAsync(string storedHash, string password, CancellationToken ct, TimeSpan? wait = null)
    {
        var (ran, ok) = await PasswordHashingSlots.TryRunAsync(() => VerifyInSlot(storedHash, password), wait ?? PasswordHashingSlots.LoginWait, ct);
        return !ran ? PasswordCheck.Busy : ok ? PasswordCheck.Match : PasswordCheck.Mismatch;
    }

    private static bool VerifyInSlot(string storedHash, string password)
    {
        if (string.IsNullOrEmpty(storedHash) || string.IsNullOrEmpty(password) || password.Length > MaxPasswordLength) return false;
        if (storedHash.StartsWith(Argon2IdScheme, StringComparison.OrdinalIgnoreCase))
            return VerifyArgon2Id(storedHash[Argon2IdScheme.Length..], password);
        if (storedHash.StartsWith(BlowfishScheme, StringComparison.OrdinalIgnoreCase))
        {
            try
            {
                return BCrypt.Net.BCrypt.Verify(password, storedHash[BlowfishScheme.Length..]);
            }
            catch (Exception e) when (e is BCrypt.Net.SaltParseException or ArgumentException or FormatException)
            {
                return false;
            }
        }

        return false;
    }

    /// <summary>True when the hash is not in the current scheme and parameters and should be replaced at the next successful sign-in.</summary>
    public static bool NeedsRehash(string storedHash) =>
        !storedHash.StartsWith(
            string.Create(CultureInfo.InvariantCulture, $"{Argon2IdScheme}$argon2id$v=19$m={MemoryKiB},t={Iterations},p={Parallelism}$"),
            StringComparison.Ordinal);

    private static bool VerifyArgon2Id(string phc, string password)
    {
        // $argon2id$v=19$m=65536,t=3,p=1$salt$hash
        var parts = phc.Split('$');
        if (parts.Length != 6 || parts[0].Length != 0 || parts[1] != "argon2id" || parts[2] != "v=19") return false;
        int m = 0, t = 0, p = 0;
        foreach (var parameter in parts[3].Split(','))
        {
            var kv = parameter.Split('=', 2);
            if (kv.Length != 2 || !int.TryParse(kv[1], NumberStyles.None, CultureInfo.InvariantCulture, out var value)) return false;
            switch (kv[0])
            {
                case "m": m = value; break;
                case "t": t = value; break;
                case "p": p = value; break;
                default: return false;
            }
        }

        // Refuse parameters that would let a stored hash exhaust the machine (1 GiB, 16 passes, 16 lanes).
        if (m is < 8 or > 1024 * 1024 || t is < 1 or > 16 || p is < 1 or > 16) return false;
        if (!TryFromPhcBase64(parts[4], out var salt) || !TryFromPhcBase64(parts[5], out var expected)) return false;
        if (expected.Length is < 16 or > 64) return false;
        var actual = Argon2Id(password, salt, m, t, p, expected.Length);
        return CryptographicOperations.FixedTimeEquals(actual, expected);
    }

    /// <summary>Which implementation hashes new passwords: "libsodium" or "managed".</summary>
    public static string Implementation => Argon2Native.Available ? "libsodium" : "managed";

    private static byte[] Argon2Id(string password, byte[] salt, int memoryKiB, int iterations, int parallelism, int length)
    {
        var passwordBytes = Encoding.UTF8.GetBytes(password);
        try
        {
            return Argon2Native.Supports(salt.Length, parallelism)
                ? Argon2Native.Hash(passwordBytes, salt, memoryKiB, iterations, length)
                : ManagedArgon2Id(passwordBytes, salt, memoryKiB, iterations, parallelism, length);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(passwordBytes);
        }
    }

    /// <summary>The managed fallback (Konscious), also the reference libsodium is tested against.</summary>
    internal static byte[] ManagedArgon2Id(byte[] passwordBytes, byte[] salt, int memoryKiB, int iterations, int parallelism, int length)
    {
        using var argon = new Argon2id(passwordBytes)
        {
            Salt = salt,
            MemorySize = memoryKiB,
            Iterations = iterations,
            DegreeOfParallelism = parallelism,
        };
        return argon.GetBytes(length);
    }

    private static string ToPhcBase64(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=');

    private static bool TryFromPhcBase64(string text, out byte[] bytes)
    {
        var padded = text.PadRight(text.Length + ((4 - (text.Length % 4)) % 4), '=');
        bytes = new byte[Base64.GetMaxDecodedFromUtf8Length(padded.Length)];
        if (!Convert.TryFromBase64String(padded, bytes, out var written))
        {
            bytes = [];
            return false;
        }

        bytes = bytes[..written];
        return true;
    }
}
