using System.Globalization;

namespace AdminConsole.Core;

/// <summary>
/// The version of an editable object that clients get as an ETag and send back in If-Match: its last
/// change time in microseconds. UpdatedAt is also the EF concurrency token, so a stale write fails in
/// the database too.
/// </summary>
/// <remarks>
/// PostgreSQL keeps timestamps to the microsecond while .NET clocks tick in 100 ns: a version made of
/// ticks from the clock would never match the row read back, and every second save would be refused.
/// So changes are stamped with <see cref="Now"/> (already whole microseconds, the value stored and the
/// value in memory are equal), and <see cref="Of"/> counts microseconds, so a value that was not
/// stamped that way still gives the version its stored row will give.
/// </remarks>
public static class EntityVersion
{
    public static string Of(DateTimeOffset updatedAt) => (updatedAt.UtcTicks / TimeSpan.TicksPerMicrosecond).ToString(CultureInfo.InvariantCulture);

    /// <summary>The time to stamp a change with: now, to the microsecond PostgreSQL keeps.</summary>
    public static DateTimeOffset Now(TimeProvider clock)
    {
        var now = clock.GetUtcNow();
        return now.AddTicks(-(now.UtcTicks % TimeSpan.TicksPerMicrosecond));
    }

    /// <summary>Refuses the change when the client's version is not the current one (no If-Match: no check).</summary>
    public static void Check(string? expected, DateTimeOffset updatedAt, string what)
    {
        if (expected is not null && expected != Of(updatedAt))
            throw new DomainVersionMismatchException($"{what} changed since version {expected}; read it again.");
    }
}
