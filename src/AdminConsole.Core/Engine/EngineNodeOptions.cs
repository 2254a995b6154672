namespace AdminConsole.Core.Engine;

/// <summary>
/// One engine node the console feeds (Console:EngineNodes): a mailengine-node by URL. The engine in
/// this process (Engine:Enabled) is always a node too, named "local"; an entry with
/// <see cref="InProcess"/> set only gives it another name.
/// </summary>
public sealed class EngineNodeOptions
{
    public const string Section = "Console:EngineNodes";

    /// <summary>The name the Engine page and the status API show; unique among the nodes.</summary>
    public string Name { get; set; } = "";

    /// <summary>The node's control URL ("https://mx2.example.com:8025"); https is verified like any server certificate.</summary>
    public string? Url { get; set; }

    /// <summary>This entry is the engine in the console's own process.</summary>
    public bool InProcess { get; set; }

    /// <summary>The credential file (in $CREDENTIALS_DIRECTORY) holding the node's bearer token.</summary>
    public string TokenCredential { get; set; } = MailEngine.Contracts.EngineControlRoutes.TokenCredential;

    /// <summary>A PEM certificate to trust for this node's https URL (a node with a self-signed certificate); none means the system's CAs.</summary>
    public string? TrustedCertificateFile { get; set; }

    /// <summary>How long one request to the node may take; a snapshot of 100,000 mailboxes is some 20 MB.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(60);
}
