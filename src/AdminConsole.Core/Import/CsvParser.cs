using System.Text;

namespace AdminConsole.Core.Import;

/// <summary>
/// RFC 4180 CSV: fields separated by commas, records by CRLF (LF accepted too), fields optionally in
/// double quotes, a quote inside a quoted field doubled. Each record carries the line it started on so
/// that errors name the line a person sees in their editor.
/// </summary>
public static class CsvParser
{
    public sealed record Record(int Line, IReadOnlyList<string> Fields);

    public static IReadOnlyList<Record> Parse(string text)
    {
        var records = new List<Record>();
        var fields = new List<string>();
        var field = new StringBuilder();
        int line = 1, recordLine = 1, i = 0;
        bool quoted = false, fieldWasQuoted = false;
        if (text.Length > 0 && text[0] == '\uFEFF') i = 1; // a byte order mark from spreadsheet exports

        void EndField()
        {
            fields.Add(fieldWasQuoted ? field.ToString() : field.ToString().Trim());
            field.Clear();
            fieldWasQuoted = false;
        }

        void EndRecord()
        {
            EndField();
            if (!(fields.Count == 1 && fields[0].Length == 0)) records.Add(new Record(recordLine, fields.ToArray()));
            fields.Clear();
        }

        for (; i < text.Length; i++)
        {
            var c = text[i];
            if (quoted)
            {
                if (c == '"')
                {
                    if (i + 1 < text.Length && text[i + 1] == '"') { field.Append('"'); i++; }
                    else quoted = false;
                }
                else
                {
                    if (c == '\n') line++;
                    field.Append(c);
                }

                continue;
            }

            switch (c)
            {
                case '"' when field.ToString().Trim().Length == 0:
                    field.Clear();
                    quoted = fieldWasQuoted = true;
                    break;
                case '"':
                    throw new FormatException($"line {line}: a quote inside an unquoted field; put the field in quotes and double the quote.");
                case ',':
                    EndField();
                    break;
                case '\r':
                    break;
                case '\n':
                    EndRecord();
                    line++;
                    recordLine = line;
                    break;
                default:
                    field.Append(c);
                    break;
            }
        }

        if (quoted) throw new FormatException($"line {recordLine}: a quoted field is not closed.");
        EndRecord();
        return records;
    }
}
