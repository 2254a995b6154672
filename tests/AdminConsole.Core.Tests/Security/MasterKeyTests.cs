using System.Security.Cryptography;
using System.Xml.Linq;
using AdminConsole.Core.Security;
using Microsoft.Extensions.DependencyInjection;

namespace AdminConsole.Core.Tests.Security;

public sealed class MasterKeyTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("credentials").FullName;

    private MasterKey KeyFrom(byte[] bytes)
    {
        File.WriteAllText(Path.Combine(_dir, CredentialStore.MasterKey), Convert.ToBase64String(bytes) + "\n");
        return new MasterKey(new CredentialStore(_dir));
    }

    [Fact]
    public void Key_ring_xml_round_trips_and_the_secret_is_not_in_the_stored_form()
    {
        var key = KeyFrom(RandomNumberGenerator.GetBytes(32));
        var secret = new XElement("masterKey", new XElement("value", "SUPER-SECRET-KEY-MATERIAL"));

        var encrypted = new MasterKeyXmlEncryptor(key).Encrypt(secret);
        Assert.DoesNotContain("SUPER-SECRET", encrypted.EncryptedElement.ToString(), StringComparison.Ordinal);
        Assert.Equal(typeof(MasterKeyXmlDecryptor), encrypted.DecryptorType);

        var services = new ServiceCollection().AddSingleton(key).BuildServiceProvider();
        var decrypted = new MasterKeyXmlDecryptor(services).Decrypt(encrypted.EncryptedElement);
        Assert.Equal(secret.ToString(), decrypted.ToString());
    }

    [Fact]
    public void Another_master_key_cannot_read_the_key_ring()
    {
        var encrypted = new MasterKeyXmlEncryptor(KeyFrom(RandomNumberGenerator.GetBytes(32))).Encrypt(new XElement("k", "v"));
        var other = new ServiceCollection().AddSingleton(KeyFrom(RandomNumberGenerator.GetBytes(32))).BuildServiceProvider();
        Assert.ThrowsAny<CryptographicException>(() => new MasterKeyXmlDecryptor(other).Decrypt(encrypted.EncryptedElement));
    }

    [Fact]
    public void A_tampered_key_ring_entry_is_refused()
    {
        var key = KeyFrom(RandomNumberGenerator.GetBytes(32));
        var element = new MasterKeyXmlEncryptor(key).Encrypt(new XElement("k", "v")).EncryptedElement;
        var bytes = Convert.FromBase64String(element.Value);
        bytes[^1] ^= 1;
        element.Value = Convert.ToBase64String(bytes);
        var services = new ServiceCollection().AddSingleton(key).BuildServiceProvider();
        Assert.ThrowsAny<CryptographicException>(() => new MasterKeyXmlDecryptor(services).Decrypt(element));
    }

    [Theory]
    [InlineData("not base64!")]
    [InlineData("AAAA")]
    public void A_malformed_master_key_stops_the_start_with_a_clear_message(string content)
    {
        File.WriteAllText(Path.Combine(_dir, CredentialStore.MasterKey), content);
        var e = Assert.Throws<InvalidOperationException>(() => new MasterKey(new CredentialStore(_dir)));
        Assert.Contains("master key", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_credential_names_the_file_and_the_folder()
    {
        var e = Assert.Throws<InvalidOperationException>(() => new CredentialStore(_dir).Read("db-password"));
        Assert.Contains("db-password", e.Message, StringComparison.Ordinal);
        Assert.Contains(_dir, e.Message, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
