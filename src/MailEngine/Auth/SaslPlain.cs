using System.Text;

namespace MailEngine.Auth;

/// <summary>SASL PLAIN (RFC 4616) as SMTP AUTH and IMAP AUTHENTICATE carry it, base64-encoded.</summary>
public static class SaslPlain
{
    public enum Outcome
    {
        Ok,
        Undecodable,
        Malformed,
        OtherIdentity,
    }

    /// <summary>Decodes "[authzid] NUL authcid NUL passwd"; "=" stands for an empty response. Acting as another identity is refused.</summary>
    public static Outcome TryDecode(string base64, out string username, out string password)
    {
        username = password = string.Empty;
        if (!TryBase64(base64 == "=" ? string.Empty : base64, out var decoded)) return Outcome.Undecodable;
        var fields = decoded.Split('\0');
        if (fields.Length != 3) return Outcome.Malformed;
        if (fields[0].Length > 0 && !string.Equals(fields[0], fields[1], StringComparison.OrdinalIgnoreCase)) return Outcome.OtherIdentity;
        (username, password) = (fields[1], fields[2]);
        return Outcome.Ok;
    }

    public static bool TryBase64(string base64, out string text)
    {
        text = string.Empty;
        var bytes = new byte[(base64.Length * 3 / 4) + 3];
        if (!Convert.TryFromBase64String(base64, bytes, out var written)) return false;
        text = Encoding.UTF8.GetString(bytes, 0, written);
        return true;
    }
}
