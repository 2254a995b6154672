using System.Globalization;
using System.Text;

namespace MailEngine.Imap.Protocol;

/// <summary>A literal the client announced at the end of a line: its size and whether it is LITERAL+ (RFC 7888).</summary>
public readonly record struct LiteralAnnouncement(long Length, bool NonSynchronizing);

/// <summary>A tagged command as parsed: tag, name (upper case), the UID prefix, and its arguments.</summary>
public sealed record ImapCommand(string Tag, string Name, bool Uid, IReadOnlyList<ImapValue> Arguments);

/// <summary>
/// Builds one command from its wire parts (RFC 3501 2.2, 4): lines, each possibly ending with a
/// literal announcement, and the literals' octets. Pure code without I/O: the session reads lines
/// and literals, feeds them here and asks for the command at the end. A syntax error is remembered
/// but the parts that follow are still accepted, so a LITERAL+ literal the client sends anyway is
/// consumed and the next command starts where it should.
/// </summary>
public sealed class ImapCommandBuilder
{
    /// <summary>
    /// How deeply lists may nest. No command needs more than a few levels (BODY[HEADER.FIELDS (..)]
    /// inside a FETCH list, SEARCH's parenthesized keys); an unbounded stack let one command cost
    /// seconds of CPU and overflow the stack of whatever walked the tree afterwards.
    /// </summary>
    public const int MaxNesting = 32;

    private readonly Stack<List<ImapValue>> _lists = new();
    private List<ImapValue> _top = [];
    private string? _error;
    private bool _pendingLiteral;

    /// <summary>Tokenizes one line (without CRLF); returns the literal it announces at its end, if any.</summary>
    public LiteralAnnouncement? FeedLine(ReadOnlySpan<byte> line)
    {
        if (_pendingLiteral) throw new InvalidOperationException("A literal was announced; feed it first.");

        // Once the command is known to be bad nothing more is parsed, but a literal the line still
        // announces is reported so that the session can drop its octets instead of reading them as commands.
        if (_error is not null) return TrailingLiteral(line);
        var i = 0;
        // After a literal the rest of the command continues on the next line; a space separates the
        // literal from what follows, unless a list closes right after it.
        while (i < line.Length)
        {
            var c = line[i];
            switch (c)
            {
                case (byte)' ':
                    i++;
                    break;
                case (byte)'(':
                    if (_lists.Count >= MaxNesting)
                    {
                        Fail("Parentheses nested too deeply");
                        return TrailingLiteral(line);
                    }

                    _lists.Push(_top);
                    _top = [];
                    i++;
                    break;
                case (byte)')':
                    if (_lists.Count == 0)
                    {
                        Fail("Unbalanced ')'");
                        return TrailingLiteral(line);
                    }

                    var list = ImapValue.List(_top);
                    _top = _lists.Pop();
                    _top.Add(list);
                    i++;
                    break;
                case (byte)'"':
                    if (!ReadQuoted(line, ref i, out var quoted))
                    {
                        Fail("Unterminated or invalid quoted string");
                        return TrailingLiteral(line);
                    }

                    _top.Add(ImapValue.Quoted(quoted));
                    break;
                case (byte)'{':
                case (byte)'~' when i + 1 < line.Length && line[i + 1] == (byte)'{':
                    var literal = ReadLiteralAnnouncement(line[(c == (byte)'~' ? i + 1 : i)..]);
                    if (literal is null)
                    {
                        Fail("Invalid literal");
                        return null;
                    }

                    _pendingLiteral = true;
                    return literal;
                default:
                    if (c < 0x20 || c == 0x7f)
                    {
                        Fail("Control character in command");
                        return TrailingLiteral(line);
                    }

                    _top.Add(ImapValue.Atom(ReadAtom(line, ref i)));
                    break;
            }
        }

        return null;
    }

    /// <summary>Adds the octets of the literal the last line announced.</summary>
    public void FeedLiteral(byte[] octets)
    {
        if (!_pendingLiteral) throw new InvalidOperationException("No literal was announced.");
        _pendingLiteral = false;
        if (_error is null) _top.Add(ImapValue.Literal(octets));
    }

    /// <summary>Adds a literal the session stored in a file (a large APPEND message).</summary>
    public void FeedLiteralFile(string file, long length)
    {
        if (!_pendingLiteral) throw new InvalidOperationException("No literal was announced.");
        _pendingLiteral = false;
        if (_error is null) _top.Add(ImapValue.LiteralFile(file, length));
    }

    /// <summary>
    /// The command's name (upper case) while it is being read, when the literal announced now is a
    /// top-level argument: the session streams an APPEND's message literal to disk.
    /// </summary>
    public string? TopLevelCommand =>
        _lists.Count == 0 && _top.Count >= 2 && _top[1].Kind == ImapValueKind.Atom ? _top[1].Text.ToUpperInvariant() : null;

    /// <summary>Whether a syntax error has been seen (the literal that follows is then read and dropped).</summary>
    public bool Failed => _error is not null;

    /// <summary>The tag, when the command got that far (an error answers with it).</summary>
    public string? Tag
    {
        get
        {
            var bottom = _lists.Count > 0 ? _lists.Last() : _top;
            return bottom.Count > 0 && bottom[0].Kind == ImapValueKind.Atom && IsValidTag(bottom[0].Text) ? bottom[0].Text : null;
        }
    }

    /// <summary>The command, once the last line (without a literal) has been fed.</summary>
    public ImapCommand Build()
    {
        if (_error is not null) throw ImapCommandException.Syntax(_error);
        if (_lists.Count > 0) throw ImapCommandException.Syntax("Unbalanced '('");
        var tag = Tag ?? throw ImapCommandException.Syntax("Missing or invalid tag");
        if (_top.Count < 2 || _top[1].Kind != ImapValueKind.Atom) throw ImapCommandException.Syntax("Missing command");
        var name = _top[1].Text.ToUpperInvariant();
        if (name == "UID")
        {
            if (_top.Count < 3 || _top[2].Kind != ImapValueKind.Atom) throw ImapCommandException.Syntax("UID needs a command");
            return new ImapCommand(tag, _top[2].Text.ToUpperInvariant(), true, _top[3..]);
        }

        return new ImapCommand(tag, name, false, _top[2..]);
    }

    private void Fail(string message) => _error ??= message;

    /// <summary>The literal announced at the very end of a line that is not parsed any further.</summary>
    private LiteralAnnouncement? TrailingLiteral(ReadOnlySpan<byte> line)
    {
        if (line.Length == 0 || line[^1] != (byte)'}') return null;
        var open = line.LastIndexOf((byte)'{');
        if (open < 0) return null;
        var literal = ReadLiteralAnnouncement(line[open..]);
        _pendingLiteral = literal is not null;
        return literal;
    }

    /// <summary>RFC 3501 9: tag = 1*&lt;any ASTRING-CHAR except "+"&gt;.</summary>
    private static bool IsValidTag(string tag)
    {
        if (tag.Length == 0 || tag.Length > 64) return false;
        foreach (var c in tag)
            if (c is '+' or '(' or ')' or '{' or ' ' or '%' or '*' or '"' or '\\' or ']' || c < 0x20 || c >= 0x7f) return false;
        return true;
    }

    private static bool ReadQuoted(ReadOnlySpan<byte> line, ref int i, out string text)
    {
        var bytes = new List<byte>();
        i++;
        while (i < line.Length)
        {
            var c = line[i++];
            if (c == (byte)'"')
            {
                text = Encoding.UTF8.GetString(bytes.ToArray());
                return true;
            }

            if (c == (byte)'\\')
            {
                if (i >= line.Length || line[i] is not ((byte)'"' or (byte)'\\')) break;
                c = line[i++];
            }

            bytes.Add(c);
        }

        text = string.Empty;
        return false;
    }

    /// <summary>"{" number ["+"] "}" closing the line (RFC 3501 literal, RFC 7888 LITERAL+).</summary>
    private static LiteralAnnouncement? ReadLiteralAnnouncement(ReadOnlySpan<byte> rest)
    {
        if (rest.Length < 3 || rest[^1] != (byte)'}') return null;
        var inner = rest[1..^1];
        var plus = inner.Length > 0 && inner[^1] == (byte)'+';
        if (plus) inner = inner[..^1];
        if (inner.Length is 0 or > 18) return null;
        foreach (var d in inner) if (d is < (byte)'0' or > (byte)'9') return null;
        return new LiteralAnnouncement(long.Parse(Encoding.ASCII.GetString(inner), CultureInfo.InvariantCulture), plus);
    }

    /// <summary>
    /// An atom; a '[' inside it runs to its matching ']' with spaces and lists inside, so a fetch
    /// attribute such as BODY.PEEK[HEADER.FIELDS (From To)]&lt;0.100&gt; stays one value.
    /// </summary>
    private static string ReadAtom(ReadOnlySpan<byte> line, ref int i)
    {
        var start = i;
        var depth = 0;
        while (i < line.Length)
        {
            var c = line[i];
            if (c == (byte)'[') depth++;
            else if (c == (byte)']' && depth > 0) depth--;
            else if (depth == 0 && c is (byte)' ' or (byte)'(' or (byte)')' or (byte)'{' or (byte)'"') break;
            else if (c < 0x20 || c == 0x7f) break;
            i++;
        }

        return Encoding.UTF8.GetString(line[start..i]);
    }
}
