using System.Security.Cryptography;

namespace AdminConsole.Core.Security;

/// <summary>Generates passwords to be shown once: 20 characters from an alphabet without look-alikes (~115 bits).</summary>
public static class PasswordGenerator
{
    private const string Alphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";

    public static string Generate(int length = 20) => RandomNumberGenerator.GetString(Alphabet, length);
}
