using System.Text;
using AdminConsole.Core.Accounts;
using AdminConsole.Core.Audit;
using AdminConsole.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;

namespace AdminConsole.Core.Tests.Integration;

public sealed class ApiTokenServiceTests(TestDatabase database) : IClassFixture<TestDatabase>
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 1, 12, 0, 0, TimeSpan.Zero));

    private ApiTokenService Service(Data.AdminDbContext db) => new(db, new AuditLog(db, _clock), _clock);

    [Fact]
    public async Task A_created_token_authenticates_and_only_its_hash_is_stored()
    {
        await using var db = database.CreateContext();
        var created = await Service(db).CreateAsync("deploy-bot", ApiTokenScope.Read, "test");

        Assert.Matches("^act_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$", created.Plaintext);
        await using var fresh = database.CreateContext();
        var stored = await fresh.ApiTokens.SingleAsync(t => t.Id == created.Token.Id);
        var secretPart = created.Plaintext[(created.Plaintext.LastIndexOf('_') + 1)..];
        Assert.DoesNotContain(secretPart, Encoding.ASCII.GetString(stored.SecretHash), StringComparison.Ordinal);
        Assert.Equal(32, stored.SecretHash.Length);

        var authenticated = await Service(fresh).AuthenticateAsync(created.Plaintext);
        Assert.NotNull(authenticated);
        Assert.Equal(ApiTokenScope.Read, authenticated.Scope);
        Assert.Equal(_clock.GetUtcNow(), authenticated.LastUsedAt);
    }

    [Fact]
    public async Task A_token_with_one_changed_character_does_not_authenticate()
    {
        await using var db = database.CreateContext();
        var created = await Service(db).CreateAsync("tamper-check", ApiTokenScope.ReadWrite, "test");
        var last = created.Plaintext[^1];
        var tampered = created.Plaintext[..^1] + (last == 'A' ? 'B' : 'A');
        Assert.Null(await Service(db).AuthenticateAsync(tampered));
    }

    [Fact]
    public async Task A_revoked_token_no_longer_authenticates_and_its_name_can_be_reused()
    {
        await using var db = database.CreateContext();
        var created = await Service(db).CreateAsync("rotating", ApiTokenScope.ReadWrite, "test");
        Assert.True(await Service(db).RevokeAsync(created.Token.Id, "test"));
        Assert.Null(await Service(db).AuthenticateAsync(created.Plaintext));
        var again = await Service(db).CreateAsync("rotating", ApiTokenScope.ReadWrite, "test");
        Assert.NotNull(await Service(db).AuthenticateAsync(again.Plaintext));
    }

    [Fact]
    public async Task Two_active_tokens_cannot_share_a_name_and_nothing_is_written()
    {
        await using var db = database.CreateContext();
        await Service(db).CreateAsync("unique-name", ApiTokenScope.Read, "test");
        var before = await db.ApiTokens.CountAsync();
        var e = await Assert.ThrowsAsync<DomainConflictException>(() => Service(db).CreateAsync("unique-name", ApiTokenScope.Read, "test"));
        Assert.Equal("name", e.Field);
        await using var fresh = database.CreateContext();
        Assert.Equal(before, await fresh.ApiTokens.CountAsync());
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public async Task A_token_needs_a_name(string name)
    {
        await using var db = database.CreateContext();
        await Assert.ThrowsAsync<DomainValidationException>(() => Service(db).CreateAsync(name, ApiTokenScope.Read, "test"));
    }

    [Fact]
    public async Task Last_used_is_written_at_most_once_a_minute()
    {
        await using var db = database.CreateContext();
        var created = await Service(db).CreateAsync("busy-bot", ApiTokenScope.Read, "test");
        var first = _clock.GetUtcNow();
        await Service(db).AuthenticateAsync(created.Plaintext);
        _clock.Advance(TimeSpan.FromSeconds(30));
        await Service(db).AuthenticateAsync(created.Plaintext);
        await using (var fresh = database.CreateContext())
            Assert.Equal(first, (await fresh.ApiTokens.SingleAsync(t => t.Id == created.Token.Id)).LastUsedAt);

        _clock.Advance(TimeSpan.FromSeconds(31));
        await Service(db).AuthenticateAsync(created.Plaintext);
        await using (var fresh = database.CreateContext())
            Assert.Equal(_clock.GetUtcNow(), (await fresh.ApiTokens.SingleAsync(t => t.Id == created.Token.Id)).LastUsedAt);
    }
}
