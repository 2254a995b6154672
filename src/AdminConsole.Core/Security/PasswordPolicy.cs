using System.Collections.Frozen;
using System.Globalization;
using MailEngine.Auth;

namespace AdminConsole.Core.Security;

/// <summary>
/// What a chosen mail password must be, after NIST SP 800-63B 5.1.1.2: at least 8 characters, up to
/// 128 accepted, not one of the most common passwords (a list shipped with the product), not the
/// address itself, and no composition rules.
/// </summary>
public static class PasswordPolicy
{
    public const int MinLength = 8;
    public const int MaxLength = MailPasswordHasher.MaxPasswordLength;

    private static readonly FrozenSet<string> Common = LoadCommon();

    /// <summary>Null when the password is acceptable, else the reason, fit to show beside the field.</summary>
    public static string? Check(string? password, string? address = null)
    {
        if (string.IsNullOrEmpty(password)) return "A password is required.";
        var length = new StringInfo(password).LengthInTextElements;
        if (length < MinLength) return $"A password needs at least {MinLength} characters.";
        if (password.Length > MaxLength) return $"A password is at most {MaxLength} characters.";
        var lower = password.ToLowerInvariant();
        if (Common.Contains(lower)) return "This password is one of the most common ones; choose another.";
        if (address is not null && (lower == address.ToLowerInvariant() || lower == address[..Math.Max(0, address.IndexOf('@'))].ToLowerInvariant()))
            return "A password cannot be the address itself.";
        return null;
    }

    private static FrozenSet<string> LoadCommon()
    {
        using var stream = typeof(PasswordPolicy).Assembly.GetManifestResourceStream("common-passwords.txt")
            ?? throw new InvalidOperationException("The common-password list is missing from the build.");
        using var reader = new StreamReader(stream);
        var words = new List<string>();
        while (reader.ReadLine() is { } line)
            if (line.Length > 0 && line[0] != '#') words.Add(line);
        return words.ToFrozenSet(StringComparer.Ordinal);
    }
}

/// <summary>Someone changing their own password (admin or mailbox user): the same rules for both.</summary>
public static class PasswordChange
{
    /// <summary>
    /// The current password must be right (a session left open is not enough to take the account over),
    /// the new one must pass <see cref="PasswordPolicy"/> and differ from the current one.
    /// </summary>
    public static ValidationErrors Check(string currentHash, string? currentPassword, string? newPassword, string address)
    {
        var errors = new ValidationErrors();
        if (!MailPasswordHasher.Verify(currentHash, currentPassword ?? string.Empty)) errors.Add("currentPassword", "The current password is not correct.");
        if (string.IsNullOrEmpty(newPassword)) errors.Add("newPassword", "Choose a new password.");
        else if (PasswordPolicy.Check(newPassword, address) is { } weak) errors.Add("newPassword", weak);
        else if (newPassword == currentPassword) errors.Add("newPassword", "The new password is the current one.");
        return errors;
    }
}
