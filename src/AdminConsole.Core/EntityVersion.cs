using System.Globalization;

namespace AdminConsole.Core;

/// <summary>
/// The version of an editable object that clients get as an ETag and send back in If-Match: its last
/// change time to the tick. UpdatedAt is also the EF concurrency token, so a stale write fails in the database too.
/// </summary>
public static class EntityVersion
{
    public static string Of(DateTimeOffset updatedAt) => updatedAt.UtcTicks.ToString(CultureInfo.InvariantCulture);

    /// <summary>Refuses the change when the client's version is not the current one (no If-Match: no check).</summary>
    public static void Check(string? expected, DateTimeOffset updatedAt, string what)
    {
        if (expected is not null && expected != Of(updatedAt))
            throw new DomainVersionMismatchException($"{what} changed since version {expected}; read it again.");
    }
}
