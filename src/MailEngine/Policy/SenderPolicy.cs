namespace MailEngine.Policy;

/// <summary>
/// Who may be the sender: on submission (an authenticated user) the envelope sender of MAIL FROM
/// (RFC 6409 6.1) and the From: and Sender: header addresses (RFC 6409 8.1 lets the server refuse what
/// it would not sign for), so an authenticated user cannot mail as "The CEO" &lt;ceo@...&gt;.
/// </summary>
public static class SenderPolicy
{
    /// <param name="authenticatedAs">The SMTP AUTH identity; null on the MX listener, where anyone may send.</param>
    /// <param name="sender">The MAIL FROM address, null for the null sender.</param>
    public static PolicyDecision EnvelopeSender(string? authenticatedAs, string? sender, Func<string, string, bool> maySendAs)
    {
        if (authenticatedAs is null) return PolicyDecision.Accept;
        return sender is not null && maySendAs(authenticatedAs, sender)
            ? PolicyDecision.Accept
            : PolicyDecision.Refuse(PolicyReason.SenderNotOwned, authenticatedAs);
    }

    /// <param name="headers">Each From:/Sender: header's name and its addresses; null addresses when the header cannot be parsed.</param>
    public static PolicyDecision HeaderSenders(string? authenticatedAs, IEnumerable<(string Field, IReadOnlyList<string>? Addresses)> headers, Func<string, string, bool> maySendAs)
    {
        if (authenticatedAs is null) return PolicyDecision.Accept;
        foreach (var (field, addresses) in headers)
        {
            if (addresses is null) return PolicyDecision.Refuse(PolicyReason.SenderHeaderNotOwned, authenticatedAs, $"{field}: header cannot be parsed");
            foreach (var address in addresses)
                if (!maySendAs(authenticatedAs, address))
                    return PolicyDecision.Refuse(PolicyReason.SenderHeaderNotOwned, authenticatedAs, $"{field}: header address <{Smtp.SmtpReply.Quote(address)}> not owned by {authenticatedAs}");
        }

        return PolicyDecision.Accept;
    }
}
