namespace MailEngine.Imap;

/// <summary>IMAP limits and folder retention (section "Engine:Imap"); each limit has a test past it.</summary>
public sealed class ImapOptions
{
    public Hosting.ListenerOptions Listener { get; set; } = new() { Port = 2143 };

    /// <summary>Implicit TLS (RFC 8314): 993 in production.</summary>
    public Hosting.ListenerOptions ImplicitTls { get; set; } = new() { Port = 2993 };

    /// <summary>A command line (without literals); RFC 7162 3 asks clients to send at most 8192 octets, so allow more.</summary>
    public int MaxLineBytes { get; set; } = 64 * 1024;

    /// <summary>The largest literal (an APPENDed message, mostly); larger ones get [TOOBIG] (RFC 7889 APPENDLIMIT).</summary>
    public int MaxLiteralBytes { get; set; } = 64 * 1024 * 1024;

    /// <summary>
    /// All literals of one command before authentication together (a LOGIN's name and password
    /// need a few hundred octets): an anonymous client cannot make the server hold more.
    /// </summary>
    public int MaxLiteralBytesBeforeLogin { get; set; } = 8 * 1024;

    /// <summary>RFC 3501 5.4: the autologout timer is at least 30 minutes.</summary>
    public TimeSpan CommandTimeout { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>Before login, the wait for each command line (a client that connects and says nothing is let go soon).</summary>
    public TimeSpan LoginTimeout { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>A session must log in within this of connecting; after login only the autologout timer applies.</summary>
    public TimeSpan LoginDeadline { get; set; } = TimeSpan.FromMinutes(3);

    /// <summary>The TLS handshake (STARTTLS or port 993) must finish within this.</summary>
    public TimeSpan TlsHandshakeTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>IMAP sessions of one user from one address at once (Dovecot's mail_max_userip_connections).</summary>
    public int MaxConnectionsPerUserAndAddress { get; set; } = 10;

    /// <summary>IDLE is ended by the server after this long (RFC 2177: clients re-issue it within 29 minutes).</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>Bad commands in a row before the session is closed with BYE.</summary>
    public int MaxBadCommands { get; set; } = 10;

    /// <summary>Messages in Trash older than this are expunged (the seed's Dovecot autoexpunge); 0 keeps them.</summary>
    public int TrashRetentionDays { get; set; } = 30;

    /// <summary>Messages in Junk older than this are expunged; 0 keeps them.</summary>
    public int JunkRetentionDays { get; set; } = 60;
}
