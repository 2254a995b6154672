namespace AdminConsole.Core.Certificates;

/// <summary>The key a certificate is issued for.</summary>
public enum CertificateKeyAlgorithm
{
    /// <summary>ECDSA on P-256: small, fast handshakes, accepted by every current client (the default).</summary>
    EcdsaP256,

    /// <summary>RSA 2048: for the few old clients without ECDSA.</summary>
    Rsa2048,
}
