using System.Globalization;

namespace MailEngine.Imap.Protocol;

/// <summary>
/// sequence-set (RFC 3501 9, RFC 9051 9): comma-separated numbers and ranges, "*" for the largest
/// number in use. Ranges may be written in either order ("4:2" is "2:4"). "$" (RFC 5182 SEARCHRES)
/// is not offered.
/// </summary>
public sealed class SequenceSet
{
    private readonly (uint From, uint To)[] _ranges; // 0 stands for "*"

    private SequenceSet((uint, uint)[] ranges) => _ranges = ranges;

    public static bool TryParse(string text, out SequenceSet set)
    {
        set = null!;
        if (text.Length == 0) return false;
        var ranges = new List<(uint, uint)>();
        foreach (var part in text.Split(','))
        {
            var colon = part.IndexOf(':');
            if (colon < 0)
            {
                if (!TryNumber(part, out var n)) return false;
                ranges.Add((n, n));
            }
            else
            {
                if (!TryNumber(part[..colon], out var a) || !TryNumber(part[(colon + 1)..], out var b)) return false;
                ranges.Add((a, b));
            }
        }

        set = new SequenceSet([.. ranges]);
        return true;
    }

    public static SequenceSet Parse(string text) =>
        TryParse(text, out var set) ? set : throw ImapCommandException.Syntax($"Invalid sequence set '{text}'");

    private static bool TryNumber(string text, out uint n)
    {
        if (text == "*")
        {
            n = 0;
            return true;
        }

        // nz-number: no leading zero, never 0.
        return uint.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out n) && n > 0 && text[0] != '0';
    }

    /// <summary>Whether <paramref name="n"/> is in the set, with "*" standing for <paramref name="largest"/>.</summary>
    public bool Contains(uint n, uint largest)
    {
        foreach (var (from, to) in _ranges)
        {
            var a = from == 0 ? largest : from;
            var b = to == 0 ? largest : to;
            if (a > b) (a, b) = (b, a);
            if (n >= a && n <= b) return true;
        }

        return false;
    }

    /// <summary>Whether every number in the set is at most <paramref name="largest"/> (sequence numbers past the end are a BAD).</summary>
    public bool Valid(uint largest) => _ranges.All(r => r.From <= largest && r.To <= largest);

    /// <summary>Whether the set uses "*".</summary>
    public bool HasStar => _ranges.Any(r => r.From == 0 || r.To == 0);

    /// <summary>The members that exist among <paramref name="sorted"/> (ascending), in ascending order, without duplicates.</summary>
    public IEnumerable<int> IndexesIn(IReadOnlyList<uint> sorted)
    {
        if (sorted.Count == 0) yield break;
        var largest = sorted[^1];
        // A range test per member is O(n·r); sets from clients are short, mailboxes long.
        for (var i = 0; i < sorted.Count; i++)
            if (Contains(sorted[i], largest)) yield return i;
    }

    /// <summary>Formats ascending numbers compactly ("1:3,7") for COPYUID/APPENDUID (RFC 4315).</summary>
    public static string Format(IEnumerable<uint> numbers)
    {
        var parts = new List<string>();
        uint? start = null, last = null;
        foreach (var n in numbers)
        {
            if (last is { } l && n == l + 1)
            {
                last = n;
                continue;
            }

            Flush();
            start = last = n;
        }

        Flush();
        return string.Join(',', parts);

        void Flush()
        {
            if (start is null) return;
            parts.Add(start == last ? start.Value.ToString(CultureInfo.InvariantCulture) : string.Create(CultureInfo.InvariantCulture, $"{start}:{last}"));
        }
    }

    public override string ToString() => string.Join(',', _ranges.Select(r => r.From == r.To ? N(r.From) : $"{N(r.From)}:{N(r.To)}"));

    private static string N(uint n) => n == 0 ? "*" : n.ToString(CultureInfo.InvariantCulture);
}
