using MailEngine.Imap.Protocol;
using MailEngine.Store;

namespace MailEngine.Imap;

internal sealed partial class ImapSession
{
    /// <summary>GETQUOTAROOT (RFC 9208 4.3.2): every folder is under the mailbox's one quota root "".</summary>
    private async ValueTask GetQuotaRootAsync(ImapCommand command, ImapArguments args, CancellationToken ct)
    {
        var name = MailAccount.Canonical(args.AString("folder name"));
        args.End();
        if (!_account!.Exists(name)) throw ImapCommandException.Refused("No such folder", "NONEXISTENT");
        _writer.Append("* QUOTAROOT ").String(name).Append(" \"\"\r\n");
        WriteQuota();
        await CompleteAsync(command, "GETQUOTAROOT completed", ct);
    }

    /// <summary>GETQUOTA (RFC 9208 4.3.1) for the root "".</summary>
    private async ValueTask GetQuotaAsync(ImapCommand command, ImapArguments args, CancellationToken ct)
    {
        var root = args.AString("quota root");
        args.End();
        if (root.Length != 0) throw ImapCommandException.Refused("No such quota root", "NONEXISTENT");
        WriteQuota();
        await CompleteAsync(command, "GETQUOTA completed", ct);
    }

    /// <summary>STORAGE in units of 1024 octets (RFC 9208 5.1), from the same bookkeeping delivery checks.</summary>
    private void WriteQuota()
    {
        var limit = _services.Snapshots.Current.Mailbox(_user!)?.QuotaBytes ?? 0;
        var used = _services.Folders.Store.Usage(_user!);
        _writer.Append("* QUOTA \"\" (STORAGE ").Append((used + 1023) / 1024).Append(' ').Append(limit / 1024).Append(")\r\n");
    }

    /// <summary>Refuses a write that would take the mailbox over its quota ([OVERQUOTA], RFC 9208 4.4).</summary>
    private void CheckQuota(long adding)
    {
        var limit = _services.Snapshots.Current.Mailbox(_user!)?.QuotaBytes ?? 0;
        if (_services.Folders.Store.Usage(_user!) + adding > limit) throw ImapCommandException.Refused("Mailbox is over its quota", "OVERQUOTA");
    }
}
