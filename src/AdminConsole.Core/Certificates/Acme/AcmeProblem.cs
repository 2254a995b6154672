using System.Text.Json;
using System.Text.Json.Serialization;

namespace AdminConsole.Core.Certificates.Acme;

/// <summary>
/// An error document from the CA (RFC 8555 §6.7, RFC 7807), with its subproblems (§6.7.1), and the
/// words an administrator reads for it.
/// </summary>
public sealed record AcmeProblem
{
    public const string Prefix = "urn:ietf:params:acme:error:";

    public string Type { get; init; } = "about:blank";
    public string? Detail { get; init; }
    public int? Status { get; init; }
    public AcmeIdentifier? Identifier { get; init; }
    public IReadOnlyList<AcmeProblem> Subproblems { get; init; } = [];

    /// <summary>The ACME error name ("badNonce", "connection"), or the whole type for others.</summary>
    [JsonIgnore]
    public string Name => Type.StartsWith(Prefix, StringComparison.Ordinal) ? Type[Prefix.Length..] : Type;

    /// <summary>
    /// The problem in words: what went wrong in general and the CA's detail, which says where ("the CA
    /// could not reach the server: 127.0.0.1: Fetching http://mail.example.com/.well-known/acme-challenge/…:
    /// Connection refused"); then each subproblem for its name.
    /// </summary>
    public string Describe()
    {
        var words = Name switch
        {
            "connection" => "the CA could not reach the server",
            "dns" => "the CA's DNS lookup failed",
            "incorrectResponse" => "the CA got a wrong answer to the challenge",
            "unauthorized" => "the CA did not accept the challenge",
            "tls" => "the CA's TLS connection failed",
            "caa" => "a CAA record forbids this CA to issue for the name",
            "rateLimited" => "the CA's rate limit was reached; try again later",
            "rejectedIdentifier" => "the CA will not issue for this name",
            "unsupportedIdentifier" => "the CA does not issue for this kind of name",
            "externalAccountRequired" => "the CA needs an external account binding (its key id and MAC key)",
            "accountDoesNotExist" => "the CA has no account for this key",
            "userActionRequired" => "the CA needs the account holder to act first (for example to agree to new terms)",
            "badCSR" => "the CA refused the certificate request",
            "badPublicKey" => "the CA does not accept this kind of key",
            "badSignatureAlgorithm" => "the CA does not accept the signature algorithm",
            "badRevocationReason" => "the CA does not accept that revocation reason",
            "alreadyRevoked" => "the certificate is already revoked",
            "orderNotReady" => "the order is not ready to be finalized",
            "invalidContact" or "unsupportedContact" => "the CA refused the contact address",
            "badNonce" => "the CA kept refusing the request's nonce",
            "malformed" => "the CA could not read the request",
            "serverInternal" => "the CA had an internal error",
            "compound" => "the CA found several problems",
            // about:blank: a problem of our own (the CA unreachable, an answer we could not read), its detail says all.
            _ => Type == "about:blank" ? null : $"the CA answered {Type}",
        };
        var text = words is null ? Detail ?? "the CA request failed" : string.IsNullOrWhiteSpace(Detail) ? words : $"{words}: {Detail}";
        foreach (var sub in Subproblems)
            text += $"; {(sub.Identifier is { } id ? id.Value + ": " : "")}{sub.Describe()}";
        return text;
    }

    public static AcmeProblem Parse(byte[] body, int status)
    {
        try
        {
            var problem = JsonSerializer.Deserialize<AcmeProblem>(body, AcmeClient.Json);
            if (problem is not null) return problem with { Status = problem.Status ?? status };
        }
        catch (JsonException)
        {
        }

        var text = System.Text.Encoding.UTF8.GetString(body.AsSpan(0, Math.Min(body.Length, 300))).Trim();
        return new AcmeProblem { Type = "about:blank", Status = status, Detail = $"HTTP {status}{(text.Length > 0 ? ": " + text : "")}" };
    }
}
