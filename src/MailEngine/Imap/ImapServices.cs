using MailEngine.Auth;
using MailEngine.Control;
using MailEngine.Store;
using MailEngine.Tls;
using Microsoft.Extensions.Logging;

namespace MailEngine.Imap;

/// <summary>What the engine gives every IMAP session.</summary>
public sealed record ImapServices(
    ImapOptions Options,
    string HostName,
    EngineSnapshotStore Snapshots,
    MailboxAuthenticator Authenticator,
    CertificateProvider Certificates,
    MailFolderRegistry Folders,
    LearnEvents Learning,
    Telemetry.EngineCounters Counters,
    TimeProvider Clock,
    ILogger Logger)
{
    /// <summary>Sessions per user and client address, shared by both IMAP listeners.</summary>
    public ImapUserSessions Sessions { get; } = new(Options.MaxConnectionsPerUserAndAddress);
}
