using System.Collections.Concurrent;
using MailEngine.Contracts;
using MailEngine.Control;
using MimeKit;
using MimeKit.Cryptography;

namespace MailEngine.Dkim;

/// <summary>
/// Signs mail from our domains with the keys of the snapshot (RFC 6376; RFC 8463 for Ed25519): one
/// DKIM-Signature per key, relaxed/relaxed, no l=, for the domain of the From: address when it is one
/// of ours. The result is the header fields to put above the message, which itself is not rewritten:
/// the bytes signed are the bytes delivered.
/// </summary>
public sealed class DkimSigning(Telemetry.EngineCounters counters)
{
    /// <summary>
    /// RFC 6376 §5.4.1's list: what a receiver shows or threads by, and the MIME headers that say how
    /// the body reads. Only those present are signed (MimeKit skips the rest).
    /// </summary>
    private static readonly HeaderId[] SignedHeaders =
    [
        HeaderId.From, HeaderId.ReplyTo, HeaderId.Subject, HeaderId.Date, HeaderId.To, HeaderId.Cc,
        HeaderId.ResentDate, HeaderId.ResentFrom, HeaderId.ResentTo, HeaderId.ResentCc,
        HeaderId.InReplyTo, HeaderId.References, HeaderId.MessageId,
        HeaderId.ListId, HeaderId.ListHelp, HeaderId.ListUnsubscribe, HeaderId.ListSubscribe, HeaderId.ListPost, HeaderId.ListOwner, HeaderId.ListArchive,
        HeaderId.MimeVersion, HeaderId.ContentType, HeaderId.ContentTransferEncoding,
    ];

    // Parsing a PKCS#8 key costs more than hashing a short message: one signer per key, kept while the snapshot holds the key.
    private readonly ConcurrentDictionary<(string Domain, string Selector, string Algorithm), DkimSigner> _signers = new();
    private SnapshotIndex? _prunedFor;

    /// <summary>
    /// The DKIM-Signature header fields for a message (CRLF-terminated, to go above it), or null when
    /// its From: domain is not ours or has no key; counted in mailengine_dkim_signed_total. Throws
    /// <see cref="DkimSigningException"/> (counted in mailengine_dkim_sign_failures_total) when a key
    /// that should sign cannot: the caller decides whether the message waits or goes unsigned.
    /// </summary>
    public byte[]? Sign(Stream message, SnapshotIndex snapshot)
    {
        try
        {
            var fields = SignCore(message, snapshot);
            if (fields is not null) counters.DkimSigned.Add(1);
            return fields;
        }
        catch (Exception e) when (e is FormatException or InvalidOperationException or ArgumentException or Org.BouncyCastle.Crypto.CryptoException or System.Security.Cryptography.CryptographicException)
        {
            counters.DkimSignFailures.Add(1);
            throw new DkimSigningException(e.Message, e);
        }
    }

    private byte[]? SignCore(Stream message, SnapshotIndex snapshot)
    {
        var parsed = MimeMessage.Load(message, persistent: true);
        var from = parsed.From.Mailboxes.FirstOrDefault();
        if (from is null || !Addressing.EmailAddress.TryParse(from.Address, out var author, out _)) return null;
        var domain = snapshot.Domain(author.Domain);
        if (domain?.DkimKeys is not { Count: > 0 } keys) return null;
        Prune(snapshot);

        var signatures = new List<Header>(keys.Count);
        foreach (var key in keys)
        {
            var signer = _signers.GetOrAdd((domain.Name, key.Selector, key.Algorithm), _ => Signer(domain.Name, key));
            signer.Sign(parsed, SignedHeaders);
            // MimeKit puts each signature first; take it off again so the next signer signs the same headers.
            signatures.Add(parsed.Headers[0]);
            parsed.Headers.RemoveAt(0);
        }

        using var fields = new MemoryStream();
        foreach (var signature in Enumerable.Reverse(signatures))
        {
            fields.Write(signature.RawField);
            fields.WriteByte((byte)':');
            fields.Write(signature.RawValue);
        }

        return fields.ToArray();
    }

    /// <summary>Drops the signers of keys a new snapshot no longer has (rotated out, domain gone), so retired private keys do not stay in memory.</summary>
    private void Prune(SnapshotIndex snapshot)
    {
        if (ReferenceEquals(Volatile.Read(ref _prunedFor), snapshot)) return;
        Volatile.Write(ref _prunedFor, snapshot);
        foreach (var cached in _signers.Keys)
        {
            if (snapshot.Domain(cached.Domain)?.DkimKeys?.Any(k => k.Selector == cached.Selector && k.Algorithm == cached.Algorithm) != true)
                _signers.TryRemove(cached, out _);
        }
    }

    private static DkimSigner Signer(string domain, SnapshotDkimKey key)
    {
        var algorithm = key.Algorithm switch
        {
            SnapshotDkimKey.RsaSha256 => DkimSignatureAlgorithm.RsaSha256,
            SnapshotDkimKey.Ed25519Sha256 => DkimSignatureAlgorithm.Ed25519Sha256,
            _ => throw new FormatException($"Unknown DKIM algorithm {key.Algorithm} for {key.Selector}._domainkey.{domain}."),
        };
        return new DkimSigner(DkimKeyMaterial.SigningKey(key.PrivateKey), domain, key.Selector, algorithm)
        {
            HeaderCanonicalizationAlgorithm = DkimCanonicalizationAlgorithm.Relaxed,
            BodyCanonicalizationAlgorithm = DkimCanonicalizationAlgorithm.Relaxed,
        };
    }
}

/// <summary>A DKIM key that should have signed a message could not (a damaged key, a message MimeKit cannot read).</summary>
public sealed class DkimSigningException(string message, Exception inner) : Exception(message, inner);
