namespace MailEngine.Scanner;

/// <summary>A score band of the Bayes probability, named and scored like a rule (SpamAssassin's BAYES_nn).</summary>
public sealed record BayesBand(string Name, double From, double To, double Score, string Description)
{
    /// <summary>How the probability becomes score; no band between 0.2 and 0.8 (undecided adds nothing).</summary>
    public static readonly IReadOnlyList<BayesBand> All =
    [
        new("BAYES_00", 0, 0.01, -3.5, "Bayes: spam probability under 1%"),
        new("BAYES_05", 0.01, 0.05, -1.5, "Bayes: spam probability 1-5%"),
        new("BAYES_20", 0.05, 0.2, -0.1, "Bayes: spam probability 5-20%"),
        new("BAYES_60", 0.6, 0.8, 2.5, "Bayes: spam probability 60-80%"),
        new("BAYES_80", 0.8, 0.95, 3.5, "Bayes: spam probability 80-95%"),
        new("BAYES_95", 0.95, 0.99, 5.0, "Bayes: spam probability 95-99%"),
        new("BAYES_99", 0.99, 1.0000001, 6.0, "Bayes: spam probability over 99%"),
    ];
}
