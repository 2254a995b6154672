using System.Text;
using AdminConsole.Core.Engine;
using Hangfire;
using MailEngine.Control;
using MailEngine.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace AdminConsole.Testing;

/// <summary>
/// Waiting for a change to reach the engine of a console host: the one loop every test shares, and
/// when the change does not arrive, a failure that says where it stopped (published or not, applied
/// or not, which Hangfire job failed and why) instead of a bare timeout.
/// </summary>
public static class EngineWait
{
    /// <summary>How long a change may take from a save to the engine on a loaded machine.</summary>
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    public static async Task WaitForEngineAsync(this ConsoleHost host, Func<SnapshotIndex, bool> condition, string what) =>
        await WaitForEngineAsync(host.Factory.Services, condition, what);

    public static async Task WaitForEngineAsync(IServiceProvider services, Func<SnapshotIndex, bool> condition, string what)
    {
        var engine = services.GetRequiredService<MailEngineHost>();
        var deadline = DateTime.UtcNow + Deadline;
        while (!condition(engine.Snapshots.Current))
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"{what} within {Deadline.TotalSeconds:0} s. {await DescribeAsync(services)}");
            await Task.Delay(50);
        }
    }

    /// <summary>What the push path did last, from the save to the engine.</summary>
    public static async Task<string> DescribeAsync(IServiceProvider services)
    {
        var text = new StringBuilder();
        var push = services.GetRequiredService<EnginePushStatus>().Last;
        text.Append($"Last push: at {push.At:O}, version {push.Version}, error {push.Error ?? "none"}. ");
        try
        {
            await using var scope = services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<AdminConsole.Core.Data.AdminDbContext>();
            var newest = await db.EngineSnapshotVersions.OrderByDescending(v => v.Version).Select(v => new { v.Version, v.CompiledAt }).FirstOrDefaultAsync();
            text.Append($"Newest published: {newest?.Version} at {newest?.CompiledAt:O}. ");
        }
        catch (Exception e)
        {
            text.Append($"Newest published: unknown ({e.Message}). ");
        }

        var engine = services.GetRequiredService<MailEngineHost>().Snapshots.Status;
        text.Append($"Engine runs version {engine.AppliedVersion} (applied {engine.AppliedAt:O}), last error {engine.LastError ?? "none"}. ");
        foreach (var node in services.GetRequiredService<EngineNodes>().States)
            text.Append($"Node {node.Name}: applied {node.AppliedVersion}, last contact {node.LastContact:O}, last error {node.LastError ?? "none"}. ");

        var jobs = services.GetRequiredService<JobStorage>().GetMonitoringApi();
        var stats = jobs.GetStatistics();
        text.Append($"Hangfire: {stats.Enqueued} enqueued, {stats.Processing} processing, {stats.Scheduled} scheduled, {stats.Failed} failed, {stats.Servers} servers. ");
        foreach (var failed in jobs.FailedJobs(0, 5))
            text.Append($"Failed job {failed.Key} at {failed.Value.FailedAt:O}: {failed.Value.ExceptionType}: {failed.Value.ExceptionMessage}. ");
        foreach (var processing in jobs.ProcessingJobs(0, 5))
            text.Append($"Processing job {processing.Key} since {processing.Value.StartedAt:O} on {processing.Value.ServerId}. ");
        foreach (var enqueued in jobs.EnqueuedJobs("default", 0, 5))
            text.Append($"Enqueued job {enqueued.Key} at {enqueued.Value.EnqueuedAt:O}. ");
        return text.ToString();
    }
}
