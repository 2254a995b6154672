namespace MailEngine.Hosting;

/// <summary>The mail engine's settings (section "Engine"). Every listener takes its address and port from here.</summary>
public sealed class EngineOptions
{
    public const string Section = "Engine";

    /// <summary>
    /// Runs the engine inside the console's process (the default, one-machine set-up). Read by the
    /// console's composition root (AdminConsoleHost): false leaves only the nodes of Console:EngineNodes.
    /// </summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Where the engine keeps its last snapshot, its TLS certificate and its spool.</summary>
    public string StateDirectory { get; set; } = ".local/engine";

    /// <summary>
    /// The key that encrypts the saved snapshot (<see cref="Control.SealedSnapshotFile"/>): Base64 of 32
    /// random bytes. Default: the credential file engine-state-key in Credentials:Directory or $CREDENTIALS_DIRECTORY.
    /// </summary>
    public string? StateKeyFile { get; set; }

    /// <summary>Root of the Maildir++ store: &lt;root&gt;/&lt;domain&gt;/&lt;local&gt;/Maildir.</summary>
    public string MaildirRoot { get; set; } = ".local/mail";

    /// <summary>The name the engine greets with and writes into Received headers.</summary>
    public string HostName { get; set; } = System.Net.Dns.GetHostName();

    public ListenerOptions Mx { get; set; } = new() { Port = 2525 };
    public ListenerOptions Submission { get; set; } = new() { Port = 2587 };
    public ListenerOptions Submissions { get; set; } = new() { Port = 2465 };

    /// <summary>A PKCS#12 file with the certificate and key; when unset a self-signed one is made in the state folder.</summary>
    public string? CertificatePath { get; set; }

    public SmtpLimits Limits { get; set; } = new();

    /// <summary>Connections per listener and per client address.</summary>
    public ConnectionLimits Connections { get; set; } = new();

    /// <summary>Failed-login delays and the per-connection limit, for SMTP AUTH and IMAP.</summary>
    public Auth.LoginOptions Login { get; set; } = new();

    /// <summary>IMAP listeners (2143 STARTTLS, 2993 implicit TLS in development), limits and Trash/Junk retention.</summary>
    public Imap.ImapOptions Imap { get; set; } = new();

    public Delivery.QueueOptions Queue { get; set; } = new();

    /// <summary>
    /// The global Sieve script every local delivery runs first (the seed's sieve_before); unset, the
    /// built-in one files messages the scanner calls spam into Junk (<see cref="Sieve.SieveDelivery.DefaultBeforeScript"/>).
    /// </summary>
    public string? SieveBeforeScriptPath { get; set; }

    /// <summary>The spam scanner: tier library, extra rules (issue #7).</summary>
    public Scanner.ScannerOptions Scanner { get; set; } = new();

    /// <summary>
    /// SPF, DKIM and DMARC on mail arriving at the MX listener from outside the trusted networks
    /// (issue #16). On by default; off, mail is taken without asking who sent it.
    /// </summary>
    public bool InboundAuthentication { get; set; } = true;

    /// <summary>
    /// The DNS server ("127.0.0.1:53", a local validating unbound) the inbound checks ask; unset, the
    /// machine's resolvers (/etc/resolv.conf).
    /// </summary>
    public string? DnsServer { get; set; }

    public string SpoolDirectory => Path.Combine(StateDirectory, "spool");
}

public sealed class ListenerOptions
{
    public bool Enabled { get; set; } = true;
    public string Address { get; set; } = "127.0.0.1";

    /// <summary>0 asks the system for a free port (tests); the bound port is reported by the engine.</summary>
    public int Port { get; set; }
}

/// <summary>Protocol limits; each has a test for what happens past it.</summary>
public sealed class SmtpLimits
{
    /// <summary>RFC 5321 4.5.3.1.4 says 512 octets for a command line; SIZE, AUTH and SMTPUTF8 parameters need more.</summary>
    public int MaxCommandLineBytes { get; set; } = 2048;

    /// <summary>RFC 5321 4.5.3.1.6: 1000 octets per text line including CRLF; real mail exceeds it, so the bound is wider.</summary>
    public int MaxDataLineBytes { get; set; } = 16 * 1024;

    /// <summary>RFC 5321 4.5.3.2.7: at least 5 minutes waiting for a command.</summary>
    public TimeSpan CommandTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>RFC 5321 4.5.3.2.5/6: 3 minutes per data block, 10 for the whole message; one bound per read here.</summary>
    public TimeSpan DataTimeout { get; set; } = TimeSpan.FromMinutes(3);

    /// <summary>Unknown or malformed commands tolerated in one session before it is closed.</summary>
    public int MaxBadCommands { get; set; } = 10;

    /// <summary>Refused recipients in a session answered at once; each later one waits <see cref="RecipientErrorDelay"/> times how many came before (up to 8).</summary>
    public int RecipientErrorsWithoutDelay { get; set; } = 3;

    /// <summary>The wait added per refused recipient past <see cref="RecipientErrorsWithoutDelay"/>.</summary>
    public TimeSpan RecipientErrorDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest an SMTP session may last, however busy it is: a client sending a byte every few minutes no longer holds one forever.</summary>
    public TimeSpan MaxSessionDuration { get; set; } = TimeSpan.FromHours(1);

    /// <summary>The TLS handshake (STARTTLS or port 465) must finish within this.</summary>
    public TimeSpan TlsHandshakeTimeout { get; set; } = TimeSpan.FromSeconds(30);
}

/// <summary>
/// How many connections a listener takes (section "Engine:Connections"), for each SMTP and IMAP
/// listener: past either bound a new connection gets 421 4.7.0 or * BYE and is closed at once, and
/// the others are still served.
/// </summary>
public sealed class ConnectionLimits
{
    /// <summary>Connections open at once over all listeners; lowered to stay under the file descriptor limit (<see cref="ConnectionBudget"/>).</summary>
    public int MaxTotal { get; set; } = 4000;

    /// <summary>Connections open at once on one listener.</summary>
    public int MaxPerListener { get; set; } = 1000;

    /// <summary>Connections open at once from one client address on one listener.</summary>
    public int MaxPerAddress { get; set; } = 50;
}
