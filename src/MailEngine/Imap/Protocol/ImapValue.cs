using System.Text;

namespace MailEngine.Imap.Protocol;

/// <summary>What one argument of an IMAP command is (RFC 3501 9 / RFC 9051 9).</summary>
public enum ImapValueKind
{
    /// <summary>An atom, including NIL and a fetch attribute with its [section]&lt;partial&gt;.</summary>
    Atom,

    /// <summary>A quoted string.</summary>
    Quoted,

    /// <summary>A literal ({n} or {n+} followed by n octets).</summary>
    Literal,

    /// <summary>A parenthesized list.</summary>
    List,
}

/// <summary>One parsed argument: atom, string (quoted or literal) or list.</summary>
public sealed class ImapValue
{
    private ImapValue(ImapValueKind kind, string? text, byte[]? bytes, List<ImapValue>? items, string? file = null, long length = 0)
    {
        Kind = kind;
        _text = text;
        Bytes = bytes;
        Items = items ?? [];
        File = file;
        _length = length;
    }

    private readonly long _length;

    /// <summary>
    /// A large APPEND literal the session wrote straight to a file in the mailbox's tmp/ (fsynced)
    /// instead of holding it in memory; <see cref="Bytes"/> is null then.
    /// </summary>
    public string? File { get; }

    /// <summary>A literal's length in octets, in memory or in its file.</summary>
    public long LiteralLength => Bytes?.Length ?? _length;

    private string? _text;

    public ImapValueKind Kind { get; }

    /// <summary>A literal's octets, unchanged (APPEND stores them as they came).</summary>
    public byte[]? Bytes { get; }

    public List<ImapValue> Items { get; }

    public static ImapValue Atom(string text) => new(ImapValueKind.Atom, text, null, null);
    public static ImapValue Quoted(string text) => new(ImapValueKind.Quoted, text, null, null);
    public static ImapValue Literal(byte[] bytes) => new(ImapValueKind.Literal, null, bytes, null);
    public static ImapValue LiteralFile(string file, long length) => new(ImapValueKind.Literal, string.Empty, null, null, file, length);
    public static ImapValue List(List<ImapValue> items) => new(ImapValueKind.List, null, null, items);

    public bool IsList => Kind == ImapValueKind.List;
    public bool IsString => Kind is ImapValueKind.Quoted or ImapValueKind.Literal;
    public bool IsNil => Kind == ImapValueKind.Atom && _text!.Equals("NIL", StringComparison.OrdinalIgnoreCase);

    /// <summary>The text of an atom or string (a literal is read as UTF-8); a list has none.</summary>
    public string Text => _text ??= Bytes is null ? string.Empty : Encoding.UTF8.GetString(Bytes);

    /// <summary>astring (RFC 3501 9): an atom or a string.</summary>
    public bool IsAString => Kind is ImapValueKind.Atom or ImapValueKind.Quoted or ImapValueKind.Literal;

    /// <summary>How much of a value an error message shows: client input is never echoed whole.</summary>
    public const int MaxRenderedLength = 64;

    /// <summary>
    /// The value as an error message shows it, cut at <see cref="MaxRenderedLength"/> characters.
    /// Iterative and stopping at the limit, so that neither a deep nor a long value costs more than
    /// the few characters it shows.
    /// </summary>
    public override string ToString()
    {
        var text = new StringBuilder();
        var pending = new Stack<(ImapValue Value, int Next)>();
        var current = this;
        var next = 0;
        while (text.Length <= MaxRenderedLength)
        {
            if (current.Kind == ImapValueKind.List)
            {
                if (next == 0) text.Append('(');
                if (next < current.Items.Count)
                {
                    if (next > 0) text.Append(' ');
                    pending.Push((current, next + 1));
                    current = current.Items[next];
                    next = 0;
                    continue;
                }

                text.Append(')');
            }
            else
            {
                text.Append(current.Kind switch
                {
                    ImapValueKind.Quoted => "\"" + Truncate(current.Text) + "\"",
                    ImapValueKind.Literal => "{" + current.LiteralLength + "}",
                    _ => Truncate(current.Text),
                });
            }

            if (pending.Count == 0) return text.ToString();
            (current, next) = pending.Pop();
        }

        return text.ToString(0, MaxRenderedLength) + "...";

        static string Truncate(string s) => s.Length > MaxRenderedLength ? s[..MaxRenderedLength] : s;
    }
}
