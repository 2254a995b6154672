namespace AdminConsole.Core.Srs;

/// <summary>
/// One HMAC secret of the Sender Rewriting Scheme, sealed by Data Protection. The newest signs the
/// addresses we make when forwarding; an older one stays while addresses made with it may still come
/// back (<see cref="MailEngine.Srs.SenderRewriting.MaxAge"/> after it was replaced).
/// </summary>
public sealed class SrsSecret
{
    public Guid Id { get; set; }
    public required byte[] SealedSecret { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}
