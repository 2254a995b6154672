using AdminConsole.Core.Audit;
using AdminConsole.Core.Srs;
using AdminConsole.Testing;
using MailEngine.Srs;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace AdminConsole.Core.Tests.Srs;

/// <summary>The SRS secrets: made once, stored sealed, rotated monthly with the old one honoured for the 21-day window.</summary>
public sealed class SrsSecretServiceTests(TestDatabase database) : IClassFixture<TestDatabase>
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero));
    private static readonly Microsoft.AspNetCore.DataProtection.IDataProtectionProvider Protection = Microsoft.AspNetCore.DataProtection.DataProtectionProvider.Create("srs-tests");

    private SrsSecretService Service(Data.AdminDbContext db) => new(db, Protection, new AuditLog(db, _clock), Options.Create(new SrsOptions()), _clock);

    [Fact]
    public async Task The_first_snapshot_makes_one_sealed_secret_and_rotation_keeps_the_old_one_for_the_window()
    {
        await using (var wipe = database.CreateContext()) await wipe.SrsSecrets.ExecuteDeleteAsync();
        await using var db = database.CreateContext();
        var first = await Service(db).ForSnapshotAsync();
        var secret = Assert.Single(first);
        Assert.Equal(32, secret.Length);
        Assert.Equal(secret, Assert.Single(await Service(db).ForSnapshotAsync())); // made once

        await using (var fresh = database.CreateContext())
        {
            var stored = await fresh.SrsSecrets.SingleAsync();
            Assert.Equal(new byte[] { 0x09, 0xF0, 0xC9, 0xF0 }, stored.SealedSecret[..4]); // Data Protection's header, not the key
            Assert.DoesNotContain(Convert.ToHexString(secret), Convert.ToHexString(stored.SealedSecret), StringComparison.Ordinal);
        }

        // Not due before 30 days.
        _clock.Advance(TimeSpan.FromDays(29));
        Assert.False(await Service(db).RotateAsync(force: false, "test"));

        _clock.Advance(TimeSpan.FromDays(1));
        Assert.True(await Service(db).RotateAsync(force: false, "test"));
        var rotated = await Service(db).ForSnapshotAsync();
        Assert.Equal(2, rotated.Count);
        Assert.Equal(secret, rotated[1]); // the old one still verifies; the new one signs

        // An address made with the old secret just before the rotation is still taken by the engine's rewriting with the rotated list.
        var made = new SenderRewriting([secret], _clock).Forward("bob@origin.example", "example.test").Split('@')[0];
        Assert.True(new SenderRewriting(rotated, _clock).Reverse(made).Valid);

        // The window and a day after the rotation, the old secret goes.
        _clock.Advance(SenderRewriting.MaxAge + TimeSpan.FromDays(1));
        Assert.True(await Service(db).RotateAsync(force: false, "test"));
        Assert.Equal([rotated[0]], await Service(db).ForSnapshotAsync());
        var actions = await db.AuditEvents.Where(e => e.Target == "srs").Select(e => e.Action).ToListAsync();
        Assert.Contains("srs.secret-rotated", actions);
        Assert.Contains("srs.secrets-deleted", actions);
    }
}
