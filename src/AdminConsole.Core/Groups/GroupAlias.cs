using AdminConsole.Core.Domains;

namespace AdminConsole.Core.Groups;

/// <summary>
/// A group address (alias) that expands to its members. Members are kept as references so
/// that the expansion is always to full addresses: the seed's bug was a group that expanded
/// to bare user names.
/// </summary>
public sealed class GroupAlias
{
    public Guid Id { get; set; }
    public Guid DomainId { get; set; }
    public MailDomain? Domain { get; set; }
    public required string LocalPart { get; set; }

    /// <summary>The full normalized address; unique across mailboxes and groups.</summary>
    public required string Address { get; set; }

    public string? Description { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }

    public List<GroupMember> Members { get; } = [];
}

public enum GroupMemberKind
{
    Mailbox = 0,
    Group = 1,
    External = 2,
}

/// <summary>
/// One member of a group: a local mailbox, another group (nested), or an external address.
/// Exactly one of <see cref="MailboxId"/>, <see cref="NestedGroupId"/> and
/// <see cref="ExternalAddress"/> is set, matching <see cref="Kind"/> (a check constraint holds it).
/// </summary>
public sealed class GroupMember
{
    public Guid Id { get; set; }
    public Guid GroupId { get; set; }
    public GroupAlias? Group { get; set; }
    public GroupMemberKind Kind { get; set; }
    public Guid? MailboxId { get; set; }
    public Mailboxes.Mailbox? Mailbox { get; set; }
    public Guid? NestedGroupId { get; set; }
    public GroupAlias? NestedGroup { get; set; }

    /// <summary>A normalized full address outside this installation's mailboxes and groups.</summary>
    public string? ExternalAddress { get; set; }

    /// <summary>The member's own address as it is listed (a nested group as its address, not expanded); needs the navigation loaded.</summary>
    public string ListedAddress => Kind switch
    {
        GroupMemberKind.Mailbox => Mailbox?.Address ?? throw new InvalidOperationException("Load the member's mailbox first."),
        GroupMemberKind.Group => NestedGroup?.Address ?? throw new InvalidOperationException("Load the member's group first."),
        _ => ExternalAddress!,
    };
}
