using System.Text.Json;
using AdminConsole.Core.Data;

namespace AdminConsole.Core.Audit;

/// <summary>
/// Records audit events in the same unit of work as the change they describe, so a change and its
/// record are committed (or rolled back) together.
/// </summary>
public sealed class AuditLog(AdminDbContext db, TimeProvider clock)
{
    public void Record(string actor, string action, string? target = null, object? details = null, string? remoteAddress = null) =>
        db.AuditEvents.Add(new AuditEvent
        {
            At = clock.GetUtcNow(),
            Actor = actor,
            Action = action,
            Target = target,
            Details = details is null ? null : JsonSerializer.Serialize(details, JsonSerializerOptions.Web),
            RemoteAddress = remoteAddress,
        });
}
