using System.Text.Json;

namespace AdminConsole.Core.Audit;

/// <summary>One field of a record's before/after: null on a side where the field was not there.</summary>
public sealed record AuditChange(string Field, string? Before, string? After);

/// <summary>One more fact a record keeps beside its before/after ("mailboxes": "3").</summary>
public sealed record AuditFact(string Field, string Value);

/// <summary>A record's details as people read them: what changed, what else it says, how many fields stayed.</summary>
public sealed record AuditDiff(IReadOnlyList<AuditChange> Changes, IReadOnlyList<AuditFact> Facts, int Unchanged)
{
    private static readonly AuditDiff Nothing = new([], [], 0);

    /// <summary>
    /// Reads the details JSON the services write (<c>{"before": {…}, "after": {…}, …}</c>): nested
    /// objects become dotted field names, the two sides are compared field by field and only the
    /// fields that differ are listed (a creation lists every field it set). Anything that is not such
    /// an object is kept as one fact, so nothing a record holds is hidden.
    /// </summary>
    public static AuditDiff Of(string? details)
    {
        if (string.IsNullOrWhiteSpace(details)) return Nothing;
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(details);
        }
        catch (JsonException)
        {
            return new AuditDiff([], [new AuditFact("details", details)], 0);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return new AuditDiff([], [new AuditFact("details", root.GetRawText())], 0);

            var before = new Dictionary<string, string>(StringComparer.Ordinal);
            var after = new Dictionary<string, string>(StringComparer.Ordinal);
            var order = new List<string>();
            var facts = new List<AuditFact>();
            foreach (var property in root.EnumerateObject())
            {
                switch (property.Name)
                {
                    case "before": Flatten(property.Value, "", before, order); break;
                    case "after": Flatten(property.Value, "", after, order); break;
                    default:
                        var values = new Dictionary<string, string>(StringComparer.Ordinal);
                        var names = new List<string>();
                        Flatten(property.Value, property.Name, values, names);
                        facts.AddRange(names.Select(n => new AuditFact(n, values[n])));
                        break;
                }
            }

            var changes = new List<AuditChange>();
            var unchanged = 0;
            foreach (var field in order.Distinct())
            {
                var (b, a) = (before.GetValueOrDefault(field), after.GetValueOrDefault(field));
                if (b == a) unchanged++;
                else changes.Add(new AuditChange(field, b, a));
            }

            return new AuditDiff(changes, facts, unchanged);
        }
    }

    private static void Flatten(JsonElement value, string path, Dictionary<string, string> into, List<string> order)
    {
        if (value.ValueKind == JsonValueKind.Object && value.EnumerateObject().Any())
        {
            foreach (var property in value.EnumerateObject())
                Flatten(property.Value, path.Length == 0 ? Field(property.Name) : $"{path}.{Field(property.Name)}", into, order);
            return;
        }

        var name = path.Length == 0 ? "value" : path;
        into[name] = value.ValueKind switch
        {
            JsonValueKind.String => value.GetString()!,
            JsonValueKind.Null => "(none)",
            _ => value.GetRawText(),
        };
        order.Add(name);
    }

    /// <summary>Field names as written by the services (PascalCase from anonymous objects) in the API's camelCase.</summary>
    private static string Field(string name) => name.Length > 0 && char.IsUpper(name[0]) ? char.ToLowerInvariant(name[0]) + name[1..] : name;
}
