using AdminConsole.Core.Audit;
using AdminConsole.Core.Data;
using MailEngine.Addressing;
using Microsoft.EntityFrameworkCore;

namespace AdminConsole.Core.Groups;

/// <summary>A change to a group: what is null stays as it is.</summary>
public sealed record GroupChanges(string? Description, IReadOnlyList<string>? Members);

/// <summary>
/// What a group would deliver to: the full addresses, those of them outside our domains, and what
/// an administrator should look at twice (an external address under a top-level domain that does
/// not exist is nearly always a typo: carol@example.tset).
/// </summary>
public sealed record GroupPreview(IReadOnlyList<string> Expansion, IReadOnlyList<string> External, IReadOnlyList<string> Warnings);

/// <summary>Group membership as administrators write it: bare names resolve in the group's domain.</summary>
public sealed class GroupService(AdminDbContext db, AuditLog audit, TimeProvider clock)
{
    public const int MaxDescriptionLength = 500;

    /// <summary>Creates a group with its members (see <see cref="SetMembersAsync"/>); all or nothing.</summary>
    public async Task<GroupAlias> CreateAsync(string? address, string? description, IEnumerable<string> members, string actor, string? remoteAddress, CancellationToken ct = default)
    {
        var errors = new ValidationErrors();
        if (!EmailAddress.TryParse(address, out var parsed, out var error)) errors.Add("address", error);
        if (description is { Length: > MaxDescriptionLength }) errors.Add("description", $"A description is at most {MaxDescriptionLength} characters.");
        errors.ThrowIfAny();

        var normalized = parsed.ToString();
        var domain = await db.Domains.SingleOrDefaultAsync(d => d.Name == parsed.Domain, ct)
            ?? throw new DomainValidationException("address", $"There is no domain {parsed.Domain} here; create it first.");
        if (await db.Mailboxes.AnyAsync(m => m.Address == normalized, ct)) throw new DomainConflictException("address", $"{normalized} is a mailbox.");
        if (await db.Groups.AnyAsync(g => g.Address == normalized, ct)) throw new DomainConflictException("address", $"The group {normalized} already exists.");

        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var now = EntityVersion.Now(clock);
        var group = new GroupAlias { DomainId = domain.Id, LocalPart = parsed.LocalPart!, Address = normalized, Description = string.IsNullOrWhiteSpace(description) ? null : description.Trim(), CreatedAt = now, UpdatedAt = now };
        db.Groups.Add(group);
        audit.Record(actor, "group.created", $"group:{normalized}", new { after = new { group.Address, group.Description } }, remoteAddress);
        await db.SaveChangesAsync(ct);
        await SetMembersAsync(normalized, members, actor, ct, remoteAddress);
        await transaction.CommitAsync(ct);
        return group;
    }

    public async Task DeleteAsync(string address, string actor, string? remoteAddress, CancellationToken ct = default)
    {
        if (!EmailAddress.TryParse(address, out var parsed, out _)) throw new DomainNotFoundException($"No group {address}.");
        var group = await db.Groups.SingleOrDefaultAsync(g => g.Address == parsed.ToString(), ct) ?? throw new DomainNotFoundException($"No group {parsed}.");
        db.Groups.Remove(group);
        audit.Record(actor, "group.deleted", $"group:{group.Address}", remoteAddress: remoteAddress);
        await db.SaveChangesAsync(ct);
    }

    /// <summary>The full addresses groups deliver to now, as the engine will expand them; one read for all of them.</summary>
    public async Task<IReadOnlyDictionary<Guid, IReadOnlyList<string>>> ExpandAsync(IReadOnlyCollection<Guid> groupIds, CancellationToken ct = default)
    {
        var (groups, mailboxes) = await ExpansionInputsAsync([], ct);
        var expansion = new GroupExpansion(groups, mailboxes);
        return groupIds.ToDictionary(id => id, expansion.Expand);
    }

    /// <summary>A group an address receives mail through: as a member itself, or through a nested group.</summary>
    public sealed record Membership(string Group, string? Description, bool Direct);

    /// <summary>
    /// The groups whose mail reaches <paramref name="address"/> (the mailbox page's "member of"), sorted
    /// by address: those that list it and those that contain a group that does.
    /// </summary>
    public async Task<IReadOnlyList<Membership>> GroupsDeliveringToAsync(string address, CancellationToken ct = default)
    {
        if (!EmailAddress.TryParse(address, out var parsed, out _)) return [];
        var normalized = parsed.ToString();
        var mailbox = await db.Mailboxes.Where(m => m.Address == normalized).Select(m => (Guid?)m.Id).SingleOrDefaultAsync(ct);
        var (groups, mailboxes) = await ExpansionInputsAsync(mailbox is { } id ? [id] : [], ct);
        var expansion = new GroupExpansion(groups, mailboxes);
        return [.. groups.Where(g => expansion.Expand(g.Id).Contains(normalized, StringComparer.Ordinal))
            .OrderBy(g => g.Address, StringComparer.Ordinal)
            .Select(g => new Membership(g.Address, g.Description, g.Members.Any(m => (mailbox is not null && m.MailboxId == mailbox) || m.ExternalAddress == normalized)))];
    }

    /// <summary>
    /// Every group with its members, and the addresses of the mailboxes that are members (plus
    /// <paramref name="moreMailboxIds"/>): not every mailbox, which with 100,000 of them would make each
    /// preview in the group editor read them all.
    /// </summary>
    private async Task<(List<GroupAlias> Groups, Dictionary<Guid, string> Mailboxes)> ExpansionInputsAsync(IEnumerable<Guid> moreMailboxIds, CancellationToken ct)
    {
        var groups = await db.Groups.AsNoTracking().Include(g => g.Members).ToListAsync(ct);
        var ids = groups.SelectMany(g => g.Members).Select(m => m.MailboxId).OfType<Guid>().Concat(moreMailboxIds).Distinct().ToList();
        var mailboxes = await db.Mailboxes.AsNoTracking().Where(m => ids.Contains(m.Id)).ToDictionaryAsync(m => m.Id, m => m.Address, ct);
        return (groups, mailboxes);
    }

    /// <summary>
    /// Replaces a group's members (see <see cref="UpdateAsync"/>). Each member is a local part (resolved
    /// in the group's own domain, so "alice" in support@example.com means alice@example.com) or a full
    /// address; a full address is a mailbox or group here if one exists, otherwise external. Unknown
    /// local parts and loops are refused and nothing is written.
    /// </summary>
    public async Task SetMembersAsync(string groupAddress, IEnumerable<string> members, string actor, CancellationToken ct = default, string? remoteAddress = null) =>
        await UpdateAsync(groupAddress, new GroupChanges(null, [.. members]), null, actor, remoteAddress, ct);

    /// <summary>
    /// Changes a group as a whole: its description and its members (each left as it is when null),
    /// in one save, refused when <paramref name="expectedVersion"/> is not the group's version. The
    /// address stays: it is what senders write to.
    /// </summary>
    public async Task<GroupAlias> UpdateAsync(string groupAddress, GroupChanges changes, string? expectedVersion, string actor, string? remoteAddress, CancellationToken ct = default)
    {
        if (!EmailAddress.TryParse(groupAddress, out var address, out var error)) throw new DomainValidationException("address", error);
        var group = await db.Groups.Include(g => g.Members).Include(g => g.Domain).SingleOrDefaultAsync(g => g.Address == address.ToString(), ct)
            ?? throw new DomainNotFoundException($"No group {address}.");
        EntityVersion.Check(expectedVersion, group.UpdatedAt, $"The group {group.Address}");
        if (changes.Description is { Length: > MaxDescriptionLength }) throw new DomainValidationException("description", $"A description is at most {MaxDescriptionLength} characters.");

        var before = new { group.Description, members = group.Members.Count };
        if (changes.Members is { } members)
        {
            var (resolved, _) = await ResolveAsync(group.Id, group.Address, group.Domain!.Name, members, ct);
            group.Members.Clear();
            group.Members.AddRange(resolved);
        }

        if (changes.Description is { } description) group.Description = string.IsNullOrWhiteSpace(description) ? null : description.Trim();
        group.UpdatedAt = EntityVersion.Now(clock);
        audit.Record(actor, "group.updated", $"group:{group.Address}", new { before, after = new { group.Description, members = group.Members.Count } }, remoteAddress);
        await db.SaveChangesAsync(ct);
        return group;
    }

    /// <summary>
    /// What a group would deliver to with these members, without writing anything: the editor's preview.
    /// The group may not exist yet. Refuses exactly what <see cref="SetMembersAsync"/> refuses.
    /// </summary>
    public async Task<GroupPreview> PreviewAsync(string? groupAddress, IEnumerable<string> members, CancellationToken ct = default)
    {
        if (!EmailAddress.TryParse(groupAddress, out var address, out var error)) throw new DomainValidationException("address", error);
        var normalized = address.ToString();
        var existing = await db.Groups.AsNoTracking().Where(g => g.Address == normalized).Select(g => (Guid?)g.Id).SingleOrDefaultAsync(ct);
        if (existing is null && !await db.Domains.AnyAsync(d => d.Name == address.Domain, ct))
            throw new DomainValidationException("address", $"There is no domain {address.Domain} here; create it first.");
        var (_, expansion) = await ResolveAsync(existing ?? Guid.NewGuid(), normalized, address.Domain, members, ct);
        var domains = expansion.Select(EmailAddress.DomainOf).Distinct().ToList();
        var ours = (await db.Domains.Where(d => domains.Contains(d.Name)).Select(d => d.Name).ToListAsync(ct)).ToHashSet(StringComparer.Ordinal);
        var external = expansion.Where(a => !ours.Contains(EmailAddress.DomainOf(a))).ToList();
        return new GroupPreview(expansion, external, WarningsFor(external));
    }

    /// <summary>
    /// Warnings for external addresses: one under a top-level domain the Public Suffix List does not
    /// know is accepted (a private network may have its own names) but named, because mail to it
    /// cannot leave for the Internet.
    /// </summary>
    public static IReadOnlyList<string> WarningsFor(IEnumerable<string> externalAddresses) =>
        [.. externalAddresses.Where(a => !PublicSuffixList.System.HasKnownTopLevel(EmailAddress.DomainOf(a)))
            .Select(a => $"{a} is outside your domains, and .{EmailAddress.DomainOf(a).Split('.')[^1]} is no top-level domain of the Internet: check the spelling.")];

    /// <summary>
    /// Resolves members as written (bare local parts in the group's domain, or full addresses) and
    /// expands the group as it would be with them, refusing unknown local addresses and loops.
    /// </summary>
    private async Task<(List<GroupMember> Members, IReadOnlyList<string> Expansion)> ResolveAsync(Guid groupId, string groupAddress, string groupDomain, IEnumerable<string> members, CancellationToken ct)
    {
        var written = new List<(string Raw, EmailAddress Address)>();
        foreach (var raw in members.Select(m => m.Trim()).Where(m => m.Length > 0).Distinct(StringComparer.OrdinalIgnoreCase))
        {
            EmailAddress member;
            string? error;
            if (raw.Contains('@', StringComparison.Ordinal))
            {
                if (!EmailAddress.TryParse(raw, out member, out error)) throw new DomainValidationException("members", $"'{raw}': {error}");
            }
            else
            {
                if (!EmailAddress.TryNormalizeLocalPart(raw, out var local, out error)) throw new DomainValidationException("members", $"'{raw}': {error}");
                member = EmailAddress.Create(local, groupDomain);
            }

            written.Add((raw, member));
        }

        // What each address is here, in three reads for all members together.
        var addresses = written.Select(w => w.Address.ToString()).ToList();
        var domains = written.Select(w => w.Address.Domain).Distinct().ToList();
        var mailboxIds = await db.Mailboxes.Where(m => addresses.Contains(m.Address)).ToDictionaryAsync(m => m.Address, m => m.Id, ct);
        var groupIds = await db.Groups.Where(g => addresses.Contains(g.Address)).ToDictionaryAsync(g => g.Address, g => g.Id, ct);
        var localDomains = (await db.Domains.Where(d => domains.Contains(d.Name)).Select(d => d.Name).ToListAsync(ct)).Append(groupDomain).ToHashSet();

        var resolved = new List<GroupMember>();
        foreach (var (raw, member) in written)
        {
            var text = member.ToString();
            if (mailboxIds.TryGetValue(text, out var mailbox)) resolved.Add(new GroupMember { Kind = GroupMemberKind.Mailbox, MailboxId = mailbox });
            else if (groupIds.TryGetValue(text, out var nested)) resolved.Add(new GroupMember { Kind = GroupMemberKind.Group, NestedGroupId = nested });
            else if (localDomains.Contains(member.Domain)) throw new DomainValidationException("members", $"'{raw}': there is no mailbox or group {text}.");
            else resolved.Add(new GroupMember { Kind = GroupMemberKind.External, ExternalAddress = text });
        }

        if (resolved.Any(m => m.NestedGroupId == groupId)) throw new DomainConflictException("members", $"{groupAddress} cannot contain itself.");

        // Refuse loops before anything is written: expand the group as it would be after this change.
        var (allGroups, mailboxAddresses) = await ExpansionInputsAsync(mailboxIds.Values, ct);
        var proposed = allGroups.SingleOrDefault(g => g.Id == groupId);
        if (proposed is null)
        {
            proposed = new GroupAlias { Id = groupId, LocalPart = groupAddress.Split('@')[0], Address = groupAddress };
            allGroups.Add(proposed);
        }

        proposed.Members.Clear();
        proposed.Members.AddRange(resolved.Select(m => new GroupMember { Kind = m.Kind, MailboxId = m.MailboxId, NestedGroupId = m.NestedGroupId, ExternalAddress = m.ExternalAddress }));
        return (resolved, new GroupExpansion(allGroups, mailboxAddresses).Expand(groupId));
    }
}
