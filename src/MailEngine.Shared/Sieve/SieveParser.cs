using System.Globalization;
using System.Text;

namespace MailEngine.Sieve;

/// <summary>
/// The grammar of RFC 5228 8: comments (# to end of line, /* */), identifiers, tags, numbers with
/// K/M/G quantifiers, quoted strings with \" and \\ escapes, multi-line "text:" strings with
/// dot-stuffing, string lists, test lists and blocks. Pure: text in, commands or errors (with
/// line:column) out. What commands and tests mean is checked in <see cref="SieveValidator"/>.
/// </summary>
public sealed class SieveParser
{
    private readonly string _text;
    private readonly SieveLimits _limits;
    private int _pos;
    private int _line = 1;
    private int _lineStart;
    private int _depth;

    private SieveParser(string text, SieveLimits limits)
    {
        _text = text;
        _limits = limits;
    }

    private sealed class ParseException(SievePosition position, string message) : Exception(message)
    {
        public SievePosition Position { get; } = position;
    }

    /// <summary>Parses and validates a script.</summary>
    public static SieveCompilation Compile(string text, SieveLimits? limits = null)
    {
        limits ??= SieveLimits.Default;
        if (Encoding.UTF8.GetByteCount(text) > limits.MaxScriptBytes)
            return new SieveCompilation(null, [new SieveError(new SievePosition(1, 1), $"script is larger than {limits.MaxScriptBytes} bytes")]);
        List<SieveCommand> commands;
        try
        {
            var parser = new SieveParser(text, limits);
            commands = parser.ParseCommands(topLevel: true);
        }
        catch (ParseException e)
        {
            return new SieveCompilation(null, [new SieveError(e.Position, e.Message)]);
        }

        return SieveValidator.Validate(commands, limits);
    }

    private SievePosition Here => new(_line, _pos - _lineStart + 1);

    private ParseException Error(string message) => new(Here, message);

    private List<SieveCommand> ParseCommands(bool topLevel)
    {
        var commands = new List<SieveCommand>();
        while (true)
        {
            SkipWhiteSpace();
            if (_pos >= _text.Length)
            {
                if (!topLevel) throw Error("missing '}' at end of script");
                return commands;
            }

            if (_text[_pos] == '}')
            {
                if (topLevel) throw Error("unexpected '}'");
                return commands;
            }

            commands.Add(ParseCommand());
        }
    }

    private SieveCommand ParseCommand()
    {
        var position = Here;
        var name = ReadIdentifier() ?? throw Error($"expected a command, found '{Peek()}'");
        var (arguments, tests) = ParseArguments();
        SkipWhiteSpace();
        if (_pos < _text.Length && _text[_pos] == ';')
        {
            _pos++;
            return new SieveCommand(name.ToLowerInvariant(), arguments, tests, null, position);
        }

        if (_pos < _text.Length && _text[_pos] == '{')
        {
            if (++_depth > _limits.MaxNesting) throw Error($"blocks nested deeper than {_limits.MaxNesting}");
            _pos++;
            var block = ParseCommands(topLevel: false);
            _pos++; // '}'
            _depth--;
            return new SieveCommand(name.ToLowerInvariant(), arguments, tests, block, position);
        }

        throw Error(_pos >= _text.Length ? "missing ';' at end of script" : $"expected ';' or '{{', found '{Peek()}'");
    }

    private (List<SieveArgument> Arguments, List<SieveTest> Tests) ParseArguments()
    {
        var arguments = new List<SieveArgument>();
        while (true)
        {
            SkipWhiteSpace();
            if (_pos >= _text.Length) return (arguments, []);
            var c = _text[_pos];
            var position = Here;
            if (c == ':')
            {
                _pos++;
                var tag = ReadIdentifier() ?? throw Error("expected a tag name after ':'");
                arguments.Add(new SieveArgument(SieveArgumentKind.Tag, position, Tag: tag.ToLowerInvariant()));
            }
            else if (char.IsAsciiDigit(c))
            {
                arguments.Add(new SieveArgument(SieveArgumentKind.Number, position, Number: ReadNumber()));
            }
            else if (c == '"' || c == '[' || StartsWithText())
            {
                arguments.Add(new SieveArgument(SieveArgumentKind.Strings, position, Strings: ReadStringList()));
            }
            else if (c == '(')
            {
                _pos++;
                if (++_depth > _limits.MaxNesting) throw Error($"tests nested deeper than {_limits.MaxNesting}");
                var tests = new List<SieveTest> { ParseTest() };
                while (true)
                {
                    SkipWhiteSpace();
                    if (_pos < _text.Length && _text[_pos] == ',')
                    {
                        _pos++;
                        tests.Add(ParseTest());
                        continue;
                    }

                    if (_pos < _text.Length && _text[_pos] == ')')
                    {
                        _pos++;
                        break;
                    }

                    throw Error("expected ',' or ')' in a test list");
                }

                _depth--;
                return (arguments, tests);
            }
            else if (char.IsAsciiLetter(c) || c == '_')
            {
                return (arguments, [ParseTest()]);
            }
            else
            {
                return (arguments, []);
            }
        }
    }

    private SieveTest ParseTest()
    {
        SkipWhiteSpace();
        var position = Here;
        var name = ReadIdentifier() ?? throw Error($"expected a test, found '{Peek()}'");
        if (++_depth > _limits.MaxNesting) throw Error($"tests nested deeper than {_limits.MaxNesting}");
        var (arguments, tests) = ParseArguments();
        _depth--;
        return new SieveTest(name.ToLowerInvariant(), arguments, tests, position);
    }

    private string Peek() => _pos >= _text.Length ? "end of script" : _text[_pos].ToString();

    private string? ReadIdentifier()
    {
        if (_pos >= _text.Length || !(char.IsAsciiLetter(_text[_pos]) || _text[_pos] == '_')) return null;
        var start = _pos;
        while (_pos < _text.Length && (char.IsAsciiLetterOrDigit(_text[_pos]) || _text[_pos] == '_')) _pos++;
        return _text[start.._pos];
    }

    private long ReadNumber()
    {
        var start = _pos;
        while (_pos < _text.Length && char.IsAsciiDigit(_text[_pos])) _pos++;
        if (!long.TryParse(_text.AsSpan(start, _pos - start), NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n > uint.MaxValue)
            throw new ParseException(new SievePosition(_line, start - _lineStart + 1), "number too large");
        if (_pos < _text.Length && _text[_pos] is 'K' or 'k' or 'M' or 'm' or 'G' or 'g')
        {
            n *= char.ToUpperInvariant(_text[_pos]) switch { 'K' => 1L << 10, 'M' => 1L << 20, _ => 1L << 30 };
            _pos++;
        }

        return n;
    }

    private bool StartsWithText() =>
        string.Compare(_text, _pos, "text:", 0, 5, StringComparison.OrdinalIgnoreCase) == 0;

    private List<string> ReadStringList()
    {
        if (_text[_pos] != '[') return [ReadString()];
        _pos++;
        var strings = new List<string>();
        while (true)
        {
            SkipWhiteSpace();
            if (_pos >= _text.Length || !(_text[_pos] == '"' || StartsWithText())) throw Error("expected a string in a string list");
            strings.Add(ReadString());
            SkipWhiteSpace();
            if (_pos < _text.Length && _text[_pos] == ',')
            {
                _pos++;
                continue;
            }

            if (_pos < _text.Length && _text[_pos] == ']')
            {
                _pos++;
                return strings;
            }

            throw Error("expected ',' or ']' in a string list");
        }
    }

    private string ReadString()
    {
        var start = Here;
        var builder = new StringBuilder();
        if (_text[_pos] == '"')
        {
            _pos++;
            while (true)
            {
                if (_pos >= _text.Length) throw new ParseException(start, "unterminated string");
                var c = _text[_pos++];
                if (c == '"') break;
                if (c == '\\' && _pos < _text.Length)
                {
                    // RFC 5228 2.4.2: a backslash quotes the next character (only \" and \\ mean anything).
                    c = _text[_pos++];
                }

                if (c == '\n') NewLine();
                builder.Append(c);
                if (builder.Length > _limits.MaxStringBytes) throw new ParseException(start, "string too long");
            }

            return builder.ToString();
        }

        // text: [comment] CRLF, lines, "." CRLF; a line starting with "." has it doubled (RFC 5228 2.4.2).
        _pos += 5;
        while (_pos < _text.Length && _text[_pos] is ' ' or '\t') _pos++;
        if (_pos < _text.Length && _text[_pos] == '#') while (_pos < _text.Length && _text[_pos] != '\n') _pos++;
        if (_pos < _text.Length && _text[_pos] == '\r') _pos++;
        if (_pos >= _text.Length || _text[_pos] != '\n') throw Error("expected a line break after 'text:'");
        _pos++;
        NewLine();
        while (true)
        {
            if (_pos >= _text.Length) throw new ParseException(start, "multi-line string without its closing '.'");
            var end = _text.IndexOf('\n', _pos);
            var line = end < 0 ? _text[_pos..] : _text[_pos..end];
            _pos = end < 0 ? _text.Length : end + 1;
            NewLine();
            var content = line.EndsWith('\r') ? line[..^1] : line;
            if (content == ".") return builder.ToString();
            if (content.StartsWith("..", StringComparison.Ordinal)) content = content[1..];
            builder.Append(content).Append("\r\n");
            if (builder.Length > _limits.MaxStringBytes) throw new ParseException(start, "string too long");
        }
    }

    private void NewLine()
    {
        _line++;
        _lineStart = _pos;
    }

    private void SkipWhiteSpace()
    {
        while (_pos < _text.Length)
        {
            var c = _text[_pos];
            if (c == '\n')
            {
                _pos++;
                NewLine();
            }
            else if (c is ' ' or '\t' or '\r')
            {
                _pos++;
            }
            else if (c == '#')
            {
                while (_pos < _text.Length && _text[_pos] != '\n') _pos++;
            }
            else if (c == '/' && _pos + 1 < _text.Length && _text[_pos + 1] == '*')
            {
                var start = Here;
                var end = _text.IndexOf("*/", _pos + 2, StringComparison.Ordinal);
                if (end < 0) throw new ParseException(start, "unterminated comment");
                for (var i = _pos; i < end; i++)
                {
                    if (_text[i] != '\n') continue;
                    _line++;
                    _lineStart = i + 1;
                }

                _pos = end + 2;
            }
            else
            {
                return;
            }
        }
    }
}
