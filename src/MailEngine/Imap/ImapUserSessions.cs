using System.Net;

namespace MailEngine.Imap;

/// <summary>
/// The IMAP sessions each user holds from each client address, bounded like Dovecot's
/// mail_max_userip_connections: a client (or a stolen password) cannot open a hundred sessions
/// for one account, while a household behind one address with several devices still can log in.
/// </summary>
public sealed class ImapUserSessions(int maxPerUserAndAddress)
{
    private readonly Dictionary<(string User, IPAddress Address), int> _open = [];
    private readonly Lock _gate = new();

    public bool TryEnter(string user, IPAddress address)
    {
        lock (_gate)
        {
            _open.TryGetValue((user, address), out var count);
            if (count >= maxPerUserAndAddress) return false;
            _open[(user, address)] = count + 1;
            return true;
        }
    }

    public void Leave(string user, IPAddress address)
    {
        lock (_gate)
        {
            if (!_open.TryGetValue((user, address), out var count)) return;
            if (count <= 1) _open.Remove((user, address));
            else _open[(user, address)] = count - 1;
        }
    }
}
