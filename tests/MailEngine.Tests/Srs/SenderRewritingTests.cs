using MailEngine.Srs;
using Microsoft.Extensions.Time.Testing;

namespace MailEngine.Tests.Srs;

/// <summary>The Sender Rewriting Scheme's addresses: made, reversed, refused when forged or expired, across secret rotation.</summary>
public sealed class SenderRewritingTests
{
    private static readonly byte[] Secret = Enumerable.Range(1, 32).Select(i => (byte)i).ToArray();
    private static readonly byte[] Other = Enumerable.Range(100, 32).Select(i => (byte)i).ToArray();

    private static (SenderRewriting Srs, FakeTimeProvider Clock) Make(params byte[][] secrets)
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero));
        return (new SenderRewriting(secrets.Length == 0 ? [Secret] : secrets, clock), clock);
    }

    [Fact]
    public void A_foreign_sender_becomes_an_SRS0_address_of_ours_that_reverses_to_it()
    {
        var (srs, _) = Make();
        var rewritten = srs.Forward("bob@origin.example", "example.test");
        Assert.Matches(@"^SRS0=[A-Z2-7]{6}=[A-Z2-7]{2}=origin\.example=bob@example\.test$", rewritten);
        var back = srs.Reverse(rewritten[..rewritten.IndexOf('@')]);
        Assert.True(back.Valid, back.Error);
        Assert.Equal("bob@origin.example", back.Address);
    }

    [Fact]
    public void A_local_part_with_equals_signs_and_a_case_folded_address_still_reverse()
    {
        var (srs, _) = Make();
        var rewritten = srs.Forward("a=b+c@Origin.Example", "example.test");
        var local = rewritten[..rewritten.IndexOf('@')];
        Assert.Equal("a=b+c@Origin.Example", srs.Reverse(local).Address);
        // A relay on the way folded the address to lower case: the hash is compared without case.
        Assert.Equal("a=b+c@origin.example", srs.Reverse(local.ToLowerInvariant()).Address);
    }

    [Fact]
    public void A_forged_hash_or_a_changed_part_is_refused()
    {
        var (srs, _) = Make();
        var local = srs.Forward("bob@origin.example", "example.test").Split('@')[0];
        var parts = local.Split('=');
        var forged = $"SRS0={(parts[1][0] == 'A' ? 'B' : 'A')}{parts[1][1..]}={parts[2]}={parts[3]}={parts[4]}";
        Assert.Contains("forged", srs.Reverse(forged).Error, StringComparison.Ordinal);
        Assert.Contains("forged", srs.Reverse($"SRS0={parts[1]}={parts[2]}=evil.example={parts[4]}").Error, StringComparison.Ordinal);
        Assert.Contains("forged", Make(Other).Srs.Reverse(local).Error, StringComparison.Ordinal);
        Assert.False(srs.Reverse("SRS0=too=few").Valid);
        Assert.False(srs.Reverse("SRS0==AA=x.example=bob").Valid);
        Assert.False(srs.Reverse("bob").Valid);
    }

    [Fact]
    public void An_address_is_honoured_for_21_days_and_refused_after()
    {
        var (srs, clock) = Make();
        var local = srs.Forward("bob@origin.example", "example.test").Split('@')[0];
        clock.Advance(TimeSpan.FromDays(21));
        Assert.True(srs.Reverse(local).Valid);
        clock.Advance(TimeSpan.FromDays(1));
        Assert.Contains("expired", srs.Reverse(local).Error, StringComparison.Ordinal);
    }

    [Fact]
    public void After_a_rotation_the_old_secret_still_verifies_and_the_new_one_signs()
    {
        var (old, _) = Make(Secret);
        var before = old.Forward("bob@origin.example", "example.test").Split('@')[0];
        var (rotated, _) = Make(Other, Secret);
        Assert.Equal("bob@origin.example", rotated.Reverse(before).Address);
        var after = rotated.Forward("bob@origin.example", "example.test").Split('@')[0];
        Assert.NotEqual(before, after);
        Assert.False(old.Reverse(after).Valid);
    }

    [Fact]
    public void Another_forwarders_SRS0_becomes_SRS1_that_returns_to_that_forwarder_and_does_not_grow_per_hop()
    {
        var (first, _) = Make(Other);
        var hop1 = first.Forward("bob@origin.example", "hop.example");
        var (srs, _) = Make();
        var hop2 = srs.Forward(hop1, "example.test");
        Assert.StartsWith("SRS1=", hop2, StringComparison.Ordinal);
        Assert.Contains("=hop.example==", hop2, StringComparison.Ordinal);
        Assert.EndsWith("@example.test", hop2, StringComparison.Ordinal);

        var back = srs.Reverse(hop2.Split('@')[0]);
        Assert.Equal(hop1, back.Address);
        Assert.Equal("bob@origin.example", first.Reverse(back.Address!.Split('@')[0]).Address);

        // A third forwarder keeps the first hop: the address stays the same length but for the domain.
        var (third, _) = Make(Enumerable.Repeat((byte)7, 32).ToArray());
        var hop3 = third.Forward(hop2, "third.example");
        Assert.Contains("=hop.example==", hop3, StringComparison.Ordinal);
        Assert.Equal(hop1, third.Reverse(hop3.Split('@')[0]).Address);
        Assert.Contains("forged", third.Reverse("SRS1=AAAAAA=hop.example==" + hop1.Split('@')[0][5..]).Error ?? "forged", StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("SRS0=abc=AA=x=y", true)]
    [InlineData("srs0+abc", true)]
    [InlineData("SRS1-x", true)]
    [InlineData("SRS2=abc", false)]
    [InlineData("SRS0", false)]
    [InlineData("srsbob", false)]
    public void Only_SRS0_and_SRS1_local_parts_are_taken_for_SRS(string local, bool srs) => Assert.Equal(srs, SenderRewriting.IsSrs(local));
}
