using System.Security.Cryptography;
using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.XmlEncryption;
using Microsoft.Extensions.DependencyInjection;

namespace AdminConsole.Core.Security;

/// <summary>
/// The installation's master key: 32 random bytes, Base64, in the credential file "master-key".
/// It never enters the database; it encrypts the Data Protection key ring that does.
/// </summary>
public sealed class MasterKey
{
    private readonly byte[] _key;

    public MasterKey(CredentialStore credentials)
    {
        var text = credentials.Read(CredentialStore.MasterKey);
        try
        {
            _key = Convert.FromBase64String(text.Trim());
        }
        catch (FormatException)
        {
            throw new InvalidOperationException("The master key credential is not Base64.");
        }

        if (_key.Length != 32) throw new InvalidOperationException("The master key credential must hold 32 bytes (Base64 of 32 random bytes).");
    }

    /// <summary>A key given directly (tests).</summary>
    internal MasterKey(byte[] key)
    {
        if (key.Length != 32) throw new ArgumentException("A master key is 32 bytes.", nameof(key));
        _key = key;
    }

    internal byte[] Seal(byte[] plaintext, byte[] associatedData)
    {
        var nonce = RandomNumberGenerator.GetBytes(AesGcm.NonceByteSizes.MaxSize);
        var ciphertext = new byte[plaintext.Length];
        var tag = new byte[AesGcm.TagByteSizes.MaxSize];
        using (var aes = new AesGcm(_key, tag.Length)) aes.Encrypt(nonce, plaintext, ciphertext, tag, associatedData);
        return [.. nonce, .. tag, .. ciphertext];
    }

    internal byte[] Open(byte[] sealedBytes, byte[] associatedData)
    {
        var nonceSize = AesGcm.NonceByteSizes.MaxSize;
        var tagSize = AesGcm.TagByteSizes.MaxSize;
        if (sealedBytes.Length < nonceSize + tagSize) throw new CryptographicException("Sealed data is too short.");
        var plaintext = new byte[sealedBytes.Length - nonceSize - tagSize];
        using var aes = new AesGcm(_key, tagSize);
        aes.Decrypt(sealedBytes.AsSpan(0, nonceSize), sealedBytes.AsSpan(nonceSize + tagSize), sealedBytes.AsSpan(nonceSize, tagSize), plaintext, associatedData);
        return plaintext;
    }
}

/// <summary>Encrypts each Data Protection key's XML with the master key (AES-256-GCM) before it is stored.</summary>
public sealed class MasterKeyXmlEncryptor(MasterKey masterKey) : IXmlEncryptor
{
    internal static readonly byte[] AssociatedData = "AdminConsole.DataProtectionKey.v1"u8.ToArray();

    public EncryptedXmlInfo Encrypt(XElement plaintextElement)
    {
        var plaintext = System.Text.Encoding.UTF8.GetBytes(plaintextElement.ToString(SaveOptions.DisableFormatting));
        try
        {
            var sealedBytes = masterKey.Seal(plaintext, AssociatedData);
            var element = new XElement("masterKeyEncrypted", new XAttribute("version", "1"), Convert.ToBase64String(sealedBytes));
            return new EncryptedXmlInfo(element, typeof(MasterKeyXmlDecryptor));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
        }
    }
}

/// <summary>Activated by Data Protection (through its IServiceProvider constructor) to read keys written by <see cref="MasterKeyXmlEncryptor"/>.</summary>
public sealed class MasterKeyXmlDecryptor(IServiceProvider services) : IXmlDecryptor
{
    public XElement Decrypt(XElement encryptedElement)
    {
        var masterKey = services.GetRequiredService<MasterKey>();
        var plaintext = masterKey.Open(Convert.FromBase64String(encryptedElement.Value), MasterKeyXmlEncryptor.AssociatedData);
        try
        {
            return XElement.Parse(System.Text.Encoding.UTF8.GetString(plaintext));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
        }
    }
}
