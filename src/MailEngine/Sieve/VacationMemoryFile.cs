using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using MailEngine.Storage;

namespace MailEngine.Sieve;

/// <summary>
/// Vacation replies remembered across restarts (RFC 5230 4.2): one small file per user under
/// &lt;state&gt;/vacation/, named by a hash of the address, holding when each sender (and handle)
/// was last answered. Written durably before the reply is queued, so a crash never answers twice.
/// Entries older than a year are dropped.
/// </summary>
public sealed class VacationMemoryFile(string stateDirectory) : IVacationMemory
{
    private readonly string _directory = Path.Combine(stateDirectory, "vacation");
    private readonly Lock _gate = new();

    public bool TryRecord(string recipient, string sender, string handle, TimeSpan period, DateTimeOffset now)
    {
        var path = Path.Combine(_directory, Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(recipient.ToLowerInvariant())))[..32] + ".json");
        var key = sender.ToLowerInvariant() + "\n" + handle;
        lock (_gate)
        {
            var sent = Read(path);
            if (sent.TryGetValue(key, out var last) && now - DateTimeOffset.FromUnixTimeSeconds(last) < period) return false;
            sent[key] = now.ToUnixTimeSeconds();
            var cutoff = now.AddYears(-1).ToUnixTimeSeconds();
            foreach (var old in sent.Where(e => e.Value < cutoff).Select(e => e.Key).ToList()) sent.Remove(old);
            Directory.CreateDirectory(_directory);
            DurableFile.WriteAllBytes(path, JsonSerializer.SerializeToUtf8Bytes(sent));
            return true;
        }
    }

    private static Dictionary<string, long> Read(string path)
    {
        try
        {
            return JsonSerializer.Deserialize<Dictionary<string, long>>(File.ReadAllBytes(path)) ?? [];
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or JsonException)
        {
            return [];
        }
    }
}
