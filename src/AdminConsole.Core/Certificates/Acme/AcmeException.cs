namespace AdminConsole.Core.Certificates.Acme;

/// <summary>A request the CA refused, with its problem document.</summary>
public sealed class AcmeException(AcmeProblem problem) : Exception(problem.Describe())
{
    public AcmeProblem Problem { get; } = problem;
}
