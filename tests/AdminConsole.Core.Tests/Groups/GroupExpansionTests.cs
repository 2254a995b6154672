using AdminConsole.Core.Groups;

namespace AdminConsole.Core.Tests.Groups;

public sealed class GroupExpansionTests
{
    private static readonly Guid Alice = Guid.NewGuid(), Bob = Guid.NewGuid();
    private static readonly Dictionary<Guid, string> Mailboxes = new() { [Alice] = "alice@example.com", [Bob] = "bob@example.com" };

    private static GroupAlias Group(string local, params GroupMember[] members)
    {
        var group = new GroupAlias { Id = Guid.NewGuid(), LocalPart = local, Address = $"{local}@example.com" };
        group.Members.AddRange(members);
        return group;
    }

    private static GroupMember Mailbox(Guid id) => new() { Kind = GroupMemberKind.Mailbox, MailboxId = id };
    private static GroupMember Nested(GroupAlias g) => new() { Kind = GroupMemberKind.Group, NestedGroupId = g.Id };
    private static GroupMember External(string address) => new() { Kind = GroupMemberKind.External, ExternalAddress = address };

    [Fact]
    public void Members_expand_to_full_addresses_sorted_and_without_duplicates()
    {
        var team = Group("team", Mailbox(Bob), Mailbox(Alice));
        var all = Group("all", Nested(team), Mailbox(Alice), External("partner@elsewhere.example"));
        var expansion = new GroupExpansion([team, all], Mailboxes);
        Assert.Equal(["alice@example.com", "bob@example.com"], expansion.Expand(team.Id));
        Assert.Equal(["alice@example.com", "bob@example.com", "partner@elsewhere.example"], expansion.Expand(all.Id));
    }

    [Fact]
    public void A_loop_is_refused_with_the_cycle_named()
    {
        var a = Group("a");
        var b = Group("b");
        var c = Group("c");
        a.Members.Add(Nested(b));
        b.Members.Add(Nested(c));
        c.Members.Add(Nested(a));
        var e = Assert.Throws<DomainConflictException>(() => new GroupExpansion([a, b, c], Mailboxes).Expand(a.Id));
        Assert.Equal("members", e.Field);
        Assert.Contains("a@example.com → b@example.com → c@example.com → a@example.com", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_group_reached_twice_without_a_loop_is_fine()
    {
        var inner = Group("inner", Mailbox(Alice));
        var left = Group("left", Nested(inner));
        var right = Group("right", Nested(inner));
        var top = Group("top", Nested(left), Nested(right));
        Assert.Equal(["alice@example.com"], new GroupExpansion([inner, left, right, top], Mailboxes).Expand(top.Id));
    }
}
