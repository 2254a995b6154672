using System.Text.Json;
using System.Text.Json.Serialization;

namespace MailEngine.Storage;

/// <summary>
/// What the daily reports are made from (DMARC evaluations, TLS sessions): one JSON line per event in
/// a file per UTC day under a state folder ("dmarc/2026-12-02.jsonl"), and a note of which domains'
/// reports of a day were sent, so a job run twice sends nothing twice. A line is appended and flushed
/// but not fsynced: a report that misses the last events before a crash loses no mail.
/// Days older than <see cref="KeptDays"/> are deleted.
/// </summary>
public abstract class DailyJournal<T>(string directory) where T : class
{
    public const int KeptDays = Contracts.DmarcReportRun.KeptDays;
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };
    private readonly Lock _gate = new();
    private FileStream? _open;
    private DateOnly _openDay;

    public string Directory => directory;

    /// <summary>When the event happened (its day chooses the file).</summary>
    protected abstract DateTimeOffset At(T entry);

    public void Record(T entry)
    {
        var line = JsonSerializer.SerializeToUtf8Bytes(entry, Json);
        var day = DateOnly.FromDateTime(At(entry).UtcDateTime);
        lock (_gate)
        {
            if (_open is null || _openDay != day)
            {
                _open?.Dispose();
                System.IO.Directory.CreateDirectory(directory);
                _open = new FileStream(PathOf(day), FileMode.Append, FileAccess.Write, FileShare.Read);
                _openDay = day;
                Prune(day);
            }

            _open.Write(line);
            _open.WriteByte((byte)'\n');
            _open.Flush();
        }
    }

    /// <summary>Closes the day's file; the next record opens it again.</summary>
    public void Close()
    {
        lock (_gate)
        {
            _open?.Dispose();
            _open = null;
        }
    }

    /// <summary>The day's events; a line cut short by a crash is skipped.</summary>
    public IReadOnlyList<T> Read(DateOnly day)
    {
        var path = PathOf(day);
        if (!File.Exists(path)) return [];
        var entries = new List<T>();
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        while (reader.ReadLine() is { } line)
        {
            try
            {
                if (line.Length > 0 && JsonSerializer.Deserialize<T>(line, Json) is { } o) entries.Add(o);
            }
            catch (JsonException)
            {
            }
        }

        return entries;
    }

    /// <summary>Whether the report of <paramref name="domain"/> for <paramref name="day"/> was sent already.</summary>
    public bool WasSent(DateOnly day, string domain) => Sent(SentPath(day)).Contains(domain, StringComparer.OrdinalIgnoreCase);

    private static List<string> Sent(string path) => File.Exists(path) ? [.. File.ReadAllLines(path).Where(l => l.Length > 0)] : [];

    public void MarkSent(DateOnly day, string domain)
    {
        lock (_gate)
        {
            var path = SentPath(day);
            var done = Sent(path);
            done.Add(domain);
            // Durable: a note lost in a crash would send the report again.
            DurableFile.WriteAllBytes(path, System.Text.Encoding.UTF8.GetBytes(string.Join('\n', done) + "\n"));
        }
    }

    private string PathOf(DateOnly day) => Path.Combine(directory, $"{day:yyyy-MM-dd}.jsonl");

    private string SentPath(DateOnly day) => Path.Combine(directory, $"{day:yyyy-MM-dd}.sent");

    private void Prune(DateOnly today)
    {
        foreach (var file in System.IO.Directory.EnumerateFiles(directory))
        {
            var name = Path.GetFileName(file);
            if (name.Length >= 10 && DateOnly.TryParseExact(name[..10], "yyyy-MM-dd", out var day) && day < today.AddDays(-KeptDays)) File.Delete(file);
        }
    }
}
