using System.Globalization;
using System.Text;

namespace AdminConsole.Testing;

/// <summary>
/// Reads the Prometheus text exposition format (0.0.4) as a scraper does: TYPE lines, and samples
/// <c>name{label="value",…} value [timestamp]</c> with the format's escapes in label values. Its
/// syntax is checked by <c>promtool check metrics</c> in the tests; this reads the figures.
/// </summary>
public sealed class PrometheusExposition
{
    public sealed record Sample(string Name, IReadOnlyDictionary<string, string> Labels, double Value);

    public IReadOnlyDictionary<string, string> Types { get; }
    public IReadOnlyList<Sample> Samples { get; }

    private PrometheusExposition(Dictionary<string, string> types, List<Sample> samples) => (Types, Samples) = (types, samples);

    public static PrometheusExposition Parse(string text)
    {
        var types = new Dictionary<string, string>(StringComparer.Ordinal);
        var samples = new List<Sample>();
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (line.Length == 0) continue;
            if (line.StartsWith("# TYPE ", StringComparison.Ordinal))
            {
                var parts = line[7..].Split(' ', 2);
                types[parts[0]] = parts[1];
                continue;
            }

            if (line[0] == '#') continue;
            samples.Add(ParseSample(line));
        }

        return new PrometheusExposition(types, samples);
    }

    private static Sample ParseSample(string line)
    {
        var i = 0;
        while (i < line.Length && line[i] is not ('{' or ' ')) i++;
        var name = line[..i];
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        if (i < line.Length && line[i] == '{')
        {
            i++;
            while (line[i] != '}')
            {
                var eq = line.IndexOf('=', i);
                var label = line[i..eq];
                i = eq + 2; // past ="
                var value = new StringBuilder();
                while (line[i] != '"')
                {
                    if (line[i] == '\\')
                    {
                        i++;
                        value.Append(line[i] switch { 'n' => '\n', var c => c });
                    }
                    else value.Append(line[i]);
                    i++;
                }

                labels[label] = value.ToString();
                i++; // past the closing quote
                if (line[i] == ',') i++;
            }

            i++; // past }
        }

        var figures = line[i..].Trim().Split(' ');
        var number = figures[0] switch { "+Inf" => double.PositiveInfinity, "-Inf" => double.NegativeInfinity, "NaN" => double.NaN, var f => double.Parse(f, CultureInfo.InvariantCulture) };
        return new Sample(name, labels, number);
    }

    /// <summary>The samples of one metric whose labels include every one given.</summary>
    public IEnumerable<Sample> Of(string name, params (string Label, string Value)[] labels) =>
        Samples.Where(s => s.Name == name && labels.All(l => s.Labels.TryGetValue(l.Label, out var v) && v == l.Value));

    /// <summary>The one value of a metric with these labels; fails when there is none or more than one.</summary>
    public double Value(string name, params (string Label, string Value)[] labels)
    {
        var found = Of(name, labels).ToList();
        if (found.Count != 1)
            throw new InvalidOperationException($"{found.Count} samples of {name}{{{string.Join(",", labels.Select(l => $"{l.Label}=\"{l.Value}\""))}}}; the metrics have: {string.Join(", ", Samples.Select(s => s.Name).Distinct().Order())}");
        return found[0].Value;
    }
}
