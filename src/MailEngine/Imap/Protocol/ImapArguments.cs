using System.Globalization;

namespace MailEngine.Imap.Protocol;

/// <summary>Reads a command's arguments in order; anything missing or of the wrong kind is a BAD.</summary>
public sealed class ImapArguments(IReadOnlyList<ImapValue> values)
{
    private int _next;

    public bool AtEnd => _next >= values.Count;
    public ImapValue? Peek => AtEnd ? null : values[_next];

    public ImapValue Next(string what) => AtEnd ? throw ImapCommandException.Syntax($"Missing {what}") : values[_next++];

    /// <summary>astring: an atom, a quoted string or a literal.</summary>
    public string AString(string what)
    {
        var value = Next(what);
        return value.IsAString ? value.Text : throw ImapCommandException.Syntax($"Invalid {what}");
    }

    public string Atom(string what)
    {
        var value = Next(what);
        return value.Kind == ImapValueKind.Atom ? value.Text : throw ImapCommandException.Syntax($"Invalid {what}");
    }

    public List<ImapValue> List(string what)
    {
        var value = Next(what);
        return value.IsList ? value.Items : throw ImapCommandException.Syntax($"{what} must be a parenthesized list");
    }

    public uint Number(string what)
    {
        var text = Atom(what);
        return uint.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : throw ImapCommandException.Syntax($"Invalid {what}");
    }

    /// <summary>Takes the next value if it is the given atom (case-insensitive).</summary>
    public bool TryKeyword(string keyword)
    {
        if (Peek is { Kind: ImapValueKind.Atom } v && v.Text.Equals(keyword, StringComparison.OrdinalIgnoreCase))
        {
            _next++;
            return true;
        }

        return false;
    }

    public void End()
    {
        if (!AtEnd) throw ImapCommandException.Syntax($"Unexpected argument {values[_next]}");
    }
}
