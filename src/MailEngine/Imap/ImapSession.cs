using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using System.Security.Authentication;
using MailEngine.Imap.Protocol;
using MailEngine.Hosting;
using MailEngine.Store;
using MailEngine.Tls;
using Microsoft.Extensions.Logging;

namespace MailEngine.Imap;

/// <summary>The session states of RFC 3501 3.</summary>
internal enum ImapState
{
    NotAuthenticated,
    Authenticated,
    Selected,
    Logout,
}

/// <summary>
/// One IMAP connection (RFC 3501, with the RFC 9051 parts clients use). Framing (lines, literals,
/// continuation requests) is here; tokenizing and argument parsing are in Protocol/, message
/// structure in Fetch/, storage in Store/, and each command in its own file under Commands/.
/// A command that is wrong gets a tagged BAD or NO and the session goes on; only too many bad
/// commands in a row, a timeout or a literal past the limit end it (with BYE).
/// </summary>
internal sealed partial class ImapSession
{
    private readonly ImapServices _services;
    private readonly IPEndPoint _remote;
    private readonly bool _implicitTls;
    /// <summary>The client's stream (TLS after STARTTLS), its pipe and line reading, shared with SMTP.</summary>
    private readonly ClientConnection _client;
    private readonly ImapWriter _writer;
    private ImapState _state = ImapState.NotAuthenticated;
    private int _badCommands;
    private volatile bool _idling;

    // Authenticated state.
    private string? _user;
    private MailAccount? _account;

    // Selected state: the session's own view of the folder (RFC 3501 2.3.1.2: sequence numbers
    // change only when this session is told of an expunge).
    private MailFolder? _folder;
    private bool _readOnly;
    private List<uint> _uids = [];
    private ulong _knownModSeq;

    /// <summary>The folder MODSEQ up to which this session has been told everything (expunges included).</summary>
    private ulong _syncedModSeq;
    private uint _recentFrom;
    private readonly HashSet<uint> _silentlyChanged = [];

    public ImapSession(ImapServices services, Socket socket, bool implicitTls)
    {
        _services = services;
        _remote = (IPEndPoint)socket.RemoteEndPoint!;
        _implicitTls = implicitTls;
        _loginBrake = services.Authenticator.NewBrake();
        // A session that never logs in ends soon; login lifts the deadline (IDLE sessions last for days).
        _deadline = new SessionDeadline(services.Clock, services.Options.LoginDeadline);
        _client = new ClientConnection(new NetworkStream(socket, ownsSocket: true), _deadline);
        _writer = new ImapWriter(() => _client.Stream);
    }

    private readonly SessionDeadline _deadline;

    private readonly Auth.LoginBrake _loginBrake;

    private ImapOptions Limits => _services.Options;

    public async Task RunAsync(CancellationToken stopping)
    {
        try
        {
            if (_implicitTls && !await StartTlsAsync(stopping)) return;
            _writer.Append("* OK [CAPABILITY ").Append(Capabilities()).Append("] ").Append(_services.HostName).Append(" IMAP4rev1 ready\r\n");
            await _writer.FlushAsync(stopping);
            while (_state != ImapState.Logout && !stopping.IsCancellationRequested)
            {
                RemoveLiteralFiles();
                var (command, tag, error) = await ReadCommandAsync(stopping);
                if (command is null && error is null) return; // connection closed
                if (error is not null)
                {
                    if (error.Code == "BYE")
                    {
                        await ByeAsync(error.Message, stopping);
                        return;
                    }

                    await RespondErrorAsync(tag, error, stopping);
                    if (++_badCommands >= Limits.MaxBadCommands)
                    {
                        await ByeAsync("Too many invalid commands", stopping);
                        return;
                    }

                    continue;
                }

                try
                {
                    await DispatchAsync(command!, stopping);
                    _badCommands = 0;
                }
                catch (ImapCommandException e) when (e.Code == "BYE")
                {
                    await ByeAsync(e.Message, stopping);
                    return;
                }
                catch (ImapCommandException e)
                {
                    await RespondErrorAsync(command!.Tag, e, stopping);
                    if (e.Bad && ++_badCommands >= Limits.MaxBadCommands)
                    {
                        await ByeAsync("Too many invalid commands", stopping);
                        return;
                    }
                }
            }

            // The server stops between two commands: the response in flight was finished, then BYE.
            if (_state != ImapState.Logout && stopping.IsCancellationRequested) await TryByeAsync("Server shutting down");
        }
        catch (SessionTimeoutException)
        {
            await TryByeAsync("Autologout; idle for too long");
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            await TryByeAsync("Server shutting down");
        }
        catch (Exception e) when (e is IOException or SocketException or AuthenticationException or ObjectDisposedException)
        {
            _services.Logger.LogDebug("IMAP session from {Remote} ended: {Reason}", _remote, e.Message);
        }
        catch (Exception e)
        {
            // A defect in one session must not go unseen, nor take other sessions with it.
            _services.Logger.LogError(e, "IMAP session from {Remote} failed", _remote);
            await TryByeAsync("Internal error");
        }
        finally
        {
            Deselect();
            RemoveLiteralFiles();
            if (_user is not null) _services.Sessions.Leave(_user, _remote.Address);
            await _client.DisposeAsync();
        }
    }

    /// <summary>An untagged BYE before the server closes the connection (RFC 3501 7.1.5).</summary>
    private async ValueTask ByeAsync(string text, CancellationToken ct)
    {
        _writer.Append("* BYE ").Append(ImapCommandException.ResponseText(text)).Append("\r\n");
        await _writer.FlushAsync(ct);
    }

    private async ValueTask RespondErrorAsync(string? tag, ImapCommandException error, CancellationToken ct)
    {
        _writer.Append(tag ?? "*").Append(error.Bad ? " BAD " : " NO ");
        if (error.Code is not null) _writer.Append('[').Append(error.Code).Append("] ");
        _writer.Append(ImapCommandException.ResponseText(error.Message)).Append("\r\n");
        await _writer.FlushAsync(ct);
    }

    private async ValueTask TryByeAsync(string text)
    {
        try
        {
            // A response cut off by the error or the shutdown was never sent: it goes, the BYE is whole.
            _writer.Discard();
            if (!_writer.AtLineStart) _writer.Append("\r\n");
            _writer.Append("* BYE ").Append(text).Append("\r\n");
            await _writer.FlushAsync(CancellationToken.None).AsTask().WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or TimeoutException or ObjectDisposedException or SocketException)
        {
        }
    }

    private ValueTask DispatchAsync(ImapCommand command, CancellationToken ct)
    {
        var args = new ImapArguments(command.Arguments);
        if (command.Uid && command.Name is not ("FETCH" or "STORE" or "SEARCH" or "COPY" or "MOVE" or "EXPUNGE"))
            throw ImapCommandException.Syntax($"UID {command.Name} is not a command");
        switch (command.Name)
        {
            // Any state (RFC 3501 6.1).
            case "CAPABILITY": return CapabilityAsync(command, args, ct);
            case "NOOP": return NoopAsync(command, args, ct);
            case "LOGOUT": return LogoutAsync(command, args, ct);
            case "ID": return IdAsync(command, args, ct);
        }

        if (_state == ImapState.NotAuthenticated)
        {
            return command.Name switch
            {
                "STARTTLS" => StartTlsCommandAsync(command, args, ct),
                "LOGIN" => LoginAsync(command, args, ct),
                "AUTHENTICATE" => AuthenticateAsync(command, args, ct),
                _ when IsKnown(command.Name) => throw ImapCommandException.Syntax($"{command.Name} needs authentication first"),
                _ => throw ImapCommandException.Syntax("Unknown command"),
            };
        }

        switch (command.Name)
        {
            case "ENABLE": return EnableAsync(command, args, ct);
            case "NAMESPACE": return NamespaceAsync(command, args, ct);
            case "SELECT": return SelectAsync(command, args, readOnly: false, ct);
            case "EXAMINE": return SelectAsync(command, args, readOnly: true, ct);
            case "CREATE": return CreateAsync(command, args, ct);
            case "DELETE": return DeleteAsync(command, args, ct);
            case "RENAME": return RenameAsync(command, args, ct);
            case "SUBSCRIBE": return SubscribeAsync(command, args, subscribe: true, ct);
            case "UNSUBSCRIBE": return SubscribeAsync(command, args, subscribe: false, ct);
            case "LIST": return ListAsync(command, args, subscribedOnly: false, ct);
            case "LSUB": return ListAsync(command, args, subscribedOnly: true, ct);
            case "STATUS": return StatusAsync(command, args, ct);
            case "APPEND": return AppendAsync(command, args, ct);
            case "IDLE": return IdleAsync(command, args, ct);
            case "GETQUOTA": return GetQuotaAsync(command, args, ct);
            case "GETQUOTAROOT": return GetQuotaRootAsync(command, args, ct);
            case "SETQUOTA": throw ImapCommandException.Refused("Quotas are set by the administrator", "NOPERM");
            case "STARTTLS": throw ImapCommandException.Syntax("Already authenticated");
            case "LOGIN" or "AUTHENTICATE": throw ImapCommandException.Syntax("Already authenticated");
        }

        if (_state != ImapState.Selected)
        {
            if (IsKnown(command.Name)) throw ImapCommandException.Syntax($"{command.Name} needs a selected folder");
            throw ImapCommandException.Syntax("Unknown command");
        }

        return command.Name switch
        {
            "CHECK" => NoopAsync(command, args, ct),
            "CLOSE" => CloseAsync(command, args, expunge: true, ct),
            "UNSELECT" => CloseAsync(command, args, expunge: false, ct),
            "EXPUNGE" => ExpungeAsync(command, args, ct),
            "SEARCH" => SearchAsync(command, args, ct),
            "FETCH" => FetchAsync(command, args, ct),
            "STORE" => StoreAsync(command, args, ct),
            "COPY" => CopyAsync(command, args, move: false, ct),
            "MOVE" => CopyAsync(command, args, move: true, ct),
            _ => throw ImapCommandException.Syntax("Unknown command"),
        };
    }

    private static bool IsKnown(string name) => name is "ENABLE" or "NAMESPACE" or "SELECT" or "EXAMINE" or "CREATE" or "DELETE" or "RENAME"
        or "SUBSCRIBE" or "UNSUBSCRIBE" or "LIST" or "LSUB" or "STATUS" or "APPEND" or "IDLE" or "GETQUOTA" or "GETQUOTAROOT" or "SETQUOTA"
        or "CHECK" or "CLOSE" or "UNSELECT" or "EXPUNGE" or "SEARCH" or "FETCH" or "STORE" or "COPY" or "MOVE";

    /// <summary>Tagged OK, after the untagged updates the command may carry.</summary>
    private async ValueTask CompleteAsync(ImapCommand command, string text, CancellationToken ct, string? code = null, bool allowExpunge = true)
    {
        if (_state == ImapState.Selected) await WriteUpdatesAsync(allowExpunge, ct);
        _writer.Append(command.Tag).Append(" OK ");
        if (code is not null) _writer.Append('[').Append(code).Append("] ");
        _writer.Append(text).Append("\r\n");
        await _writer.FlushAsync(ct);
    }

    // ---- framing ---------------------------------------------------------------------------------

    /// <summary>
    /// Reads one whole command: lines and the literals they announce. A synchronizing literal gets
    /// "+" before the client sends it (RFC 3501 7.5); one past the limit is refused before it is sent
    /// ([TOOBIG], RFC 7889). A LITERAL+ literal past the limit cannot be refused in time: BYE (RFC 7888 4).
    /// </summary>
    private async ValueTask<(ImapCommand? Command, string? Tag, ImapCommandException? Error)> ReadCommandAsync(CancellationToken ct)
    {
        var builder = new ImapCommandBuilder();
        // Before authentication only a few small literals (a LOGIN's name and password); after it, the
        // literals of one command together stay within the APPEND limit. Octets are only allocated once
        // announced literals fit, so an anonymous client cannot make the server hold more than that.
        // The lines joined by literals count together too: a chain of empty literals must not let one
        // command grow without end.
        var anonymous = _state == ImapState.NotAuthenticated;
        var budget = anonymous ? Limits.MaxLiteralBytesBeforeLogin : Limits.MaxLiteralBytes;
        var maxLiterals = anonymous ? MaxLiteralsBeforeLogin : MaxLiteralsPerCommand;
        long announcedTotal = 0;
        long lineTotal = 0;
        var literals = 0;
        while (true)
        {
            var line = await ReadLineAsync(Limits.MaxLineBytes, ct);
            if (line is null) return (null, null, null);
            if (line.Overlong) return (null, builder.Tag, ImapCommandException.Syntax("Line too long"));
            if ((lineTotal += line.Bytes.Length) > 2L * Limits.MaxLineBytes) return (null, null, new ImapCommandException("Command too long", code: "BYE"));
            var literal = builder.FeedLine(line.Bytes);
            if (literal is null) break;
            var announced = literal.Value;
            announcedTotal += announced.Length;
            if (++literals > maxLiterals && announced.NonSynchronizing) return (null, null, new ImapCommandException("Too many literals", code: "BYE"));
            if (literals > maxLiterals) return (null, builder.Tag, ImapCommandException.Syntax("Too many literals"));
            if (announcedTotal > budget)
            {
                if (announced.NonSynchronizing) return (null, null, new ImapCommandException("Literal too large", code: "BYE"));
                return (null, builder.Tag, ImapCommandException.Refused(anonymous ? "Literal too large before authentication" : "Literal too large", "TOOBIG"));
            }

            if (!announced.NonSynchronizing)
            {
                // A command already known to be bad is answered now: without "+" the client sends no literal.
                if (builder.Failed) break;
                _writer.Append("+ Ready for literal data\r\n");
                await _writer.FlushAsync(ct);
            }

            // A bad command's literal is consumed without keeping it (the builder drops what it is fed);
            // a large APPEND message goes straight to a file next to the Maildir, never into memory.
            if (builder.Failed) builder.FeedLiteral(await SkipLiteralAsync(announced.Length, ct));
            else if (_user is not null && announced.Length > StreamedLiteralBytes && builder.TopLevelCommand == "APPEND")
                builder.FeedLiteralFile(await ReadLiteralToFileAsync(announced.Length, ct), announced.Length);
            else builder.FeedLiteral(await ReadLiteralAsync((int)announced.Length, ct));
        }

        try
        {
            return (builder.Build(), null, null);
        }
        catch (ImapCommandException e)
        {
            return (null, builder.Tag, e);
        }
    }

    /// <summary>LOGIN needs two literals; nothing else before authentication needs any.</summary>
    private const int MaxLiteralsBeforeLogin = 4;

    /// <summary>No command needs more literals than this (a SEARCH with many strings, at most).</summary>
    private const int MaxLiteralsPerCommand = 256;

    /// <summary>One line without its CRLF (a bare LF is accepted); an overlong line is consumed and flagged.</summary>
    private ValueTask<ClientLine?> ReadLineAsync(int limit, CancellationToken ct) =>
        // The whole line within the timeout, not each read of it; before login the wait is short.
        _client.ReadLineAsync(limit, _deadline.WaitUntil(_idling ? Limits.IdleTimeout : _state == ImapState.NotAuthenticated ? Limits.LoginTimeout : Limits.CommandTimeout), ct, () => _idling);

    private async ValueTask<byte[]> ReadLiteralAsync(int length, CancellationToken ct)
    {
        var octets = new byte[length];
        var filled = 0;
        await CopyLiteralAsync(length, part =>
        {
            part.CopyTo(octets.AsSpan(filled));
            filled += (int)part.Length;
        }, ct);
        return octets;
    }

    /// <summary>
    /// Hands a literal's octets to <paramref name="consume"/> as they arrive (within one command
    /// timeout for the whole literal): into memory, into a file, or nowhere.
    /// </summary>
    private async ValueTask CopyLiteralAsync(long length, Action<ReadOnlySequence<byte>> consume, CancellationToken ct)
    {
        var until = _deadline.WaitUntil(Limits.CommandTimeout);
        while (length > 0)
        {
            var result = await ReadAsync(until, ct);
            var take = Math.Min(result.Buffer.Length, length);
            consume(result.Buffer.Slice(0, take));
            length -= take;
            _client.Reader.AdvanceTo(result.Buffer.GetPosition(take));
            if (length > 0 && result.IsCompleted) throw new IOException("Connection closed inside a literal");
        }
    }

    /// <summary>APPEND literals larger than this are written to a file as they arrive.</summary>
    private const int StreamedLiteralBytes = 64 * 1024;

    /// <summary>Files of literals read for the current command; whatever the command did not take is removed after it.</summary>
    private readonly List<string> _literalFiles = [];

    /// <summary>
    /// Reads a literal into a new file in the mailbox's tmp/ (the same file system as every folder,
    /// so APPEND renames it into place), fsynced before the command runs.
    /// </summary>
    private async ValueTask<string> ReadLiteralToFileAsync(long length, CancellationToken ct)
    {
        var store = _services.Folders.Store;
        var tmp = Path.Combine(store.MaildirPath(_user!), "tmp");
        Directory.CreateDirectory(tmp);
        var path = Path.Combine(tmp, store.NewUniqueName());
        _literalFiles.Add(path);
        await using var output = Storage.DurableFile.OpenPrivate(path);
        await CopyLiteralAsync(length, part =>
        {
            foreach (var segment in part) output.Write(segment.Span);
        }, ct);
        output.Flush(flushToDisk: true);
        return path;
    }

    /// <summary>Removes the literal files the last command left (an APPEND that was refused, a bad command).</summary>
    private void RemoveLiteralFiles()
    {
        foreach (var file in _literalFiles)
        {
            try
            {
                File.Delete(file);
            }
            catch (IOException)
            {
            }
        }

        _literalFiles.Clear();
    }

    /// <summary>Consumes a literal of a command that is already bad, without keeping its octets.</summary>
    private async ValueTask<byte[]> SkipLiteralAsync(long length, CancellationToken ct)
    {
        await CopyLiteralAsync(length, _ => { }, ct);
        return [];
    }

    /// <summary>Reads with the autologout timer; a read woken for IDLE returns IsCanceled.</summary>
    private ValueTask<ReadResult> ReadAsync(DateTimeOffset until, CancellationToken ct) => _client.ReadAsync(until, ct, () => _idling);

    /// <summary>Wraps the connection in TLS 1.2/1.3 (RFC 3501 6.2.1 STARTTLS, RFC 8314 implicit TLS).</summary>
    private async ValueTask<bool> StartTlsAsync(CancellationToken ct)
    {
        if (!await _client.StartTlsAsync(_services.Snapshots, _services.Certificates, Limits.TlsHandshakeTimeout, _remote, _services.Logger, ct)) return false;
        _writer.Discard(); // nothing written before the handshake goes out over TLS
        return true;
    }

}
