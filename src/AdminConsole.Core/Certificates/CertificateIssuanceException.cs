namespace AdminConsole.Core.Certificates;

/// <summary>An issuance that failed at one step, with the reason in words for the page ("mail.example.com: the CA could not reach the server: …").</summary>
public sealed class CertificateIssuanceException(string step, string message, Exception? inner = null) : Exception(message, inner)
{
    public string Step { get; } = step;
}
