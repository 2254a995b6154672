namespace AdminConsole.Core.Data;

/// <summary>
/// LIKE/ILIKE patterns from what a person typed: '%', '_' and the escape character itself are
/// taken literally (escaped with '\'), so "a_b" finds "a_b" and not "axb". A pattern, not
/// Contains (strpos), so PostgreSQL can use a gin_trgm_ops index.
/// </summary>
public static class LikePattern
{
    public const string Escape = "\\";

    /// <summary>"%term%", the term taken literally.</summary>
    public static string Containing(string term) => "%" + Literal(term) + "%";

    /// <summary>"term%", the term taken literally.</summary>
    public static string StartingWith(string term) => Literal(term) + "%";

    private static string Literal(string term) =>
        term.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal);
}
