using MailEngine.Addressing;

namespace AdminConsole.Core.Mailboxes;

public static class MailboxQueries
{
    /// <summary>The mailbox with this address as a person or client wrote it (normalized first); none when it is not an address.</summary>
    public static IQueryable<Mailbox> WithAddress(this IQueryable<Mailbox> query, string? address)
    {
        if (!EmailAddress.TryParse(address, out var parsed, out _)) return query.Where(_ => false);
        var normalized = parsed.ToString();
        return query.Where(m => m.Address == normalized);
    }
}
