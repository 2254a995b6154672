namespace AdminConsole.Core.Groups;

/// <summary>
/// Expands groups to the full addresses they deliver to: mailbox members by their address, nested
/// groups recursively, external members as they are. Expansion is where the seed's bug lived (bare
/// user names instead of addresses), so every result here is a full, normalized address.
/// </summary>
public sealed class GroupExpansion
{
    private readonly IReadOnlyDictionary<Guid, GroupAlias> _groups;
    private readonly IReadOnlyDictionary<Guid, string> _mailboxAddresses;
    private readonly Dictionary<Guid, IReadOnlyList<string>> _expanded = [];

    public GroupExpansion(IEnumerable<GroupAlias> groupsWithMembers, IReadOnlyDictionary<Guid, string> mailboxAddresses)
    {
        _groups = groupsWithMembers.ToDictionary(g => g.Id);
        _mailboxAddresses = mailboxAddresses;
    }

    /// <summary>
    /// The group's recipients, de-duplicated and sorted (ordinal), so the same membership always compiles
    /// to the same snapshot. Throws <see cref="DomainConflictException"/> on a loop.
    /// </summary>
    public IReadOnlyList<string> Expand(Guid groupId) => Expand(groupId, []);

    private IReadOnlyList<string> Expand(Guid groupId, List<Guid> path)
    {
        if (_expanded.TryGetValue(groupId, out var done)) return done;
        if (path.Contains(groupId))
        {
            var cycle = path.SkipWhile(id => id != groupId).Append(groupId).Select(id => _groups[id].Address);
            throw new DomainConflictException("members", $"These groups contain each other: {string.Join(" → ", cycle)}.");
        }

        path.Add(groupId);
        var result = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var member in _groups[groupId].Members)
        {
            IEnumerable<string> addresses = member.Kind switch
            {
                GroupMemberKind.Mailbox => [_mailboxAddresses[member.MailboxId!.Value]],
                GroupMemberKind.Group => Expand(member.NestedGroupId!.Value, path),
                _ => [member.ExternalAddress!],
            };
            foreach (var address in addresses)
                if (seen.Add(address)) result.Add(address);
        }

        path.RemoveAt(path.Count - 1);
        result.Sort(StringComparer.Ordinal);
        _expanded[groupId] = result;
        return result;
    }
}
