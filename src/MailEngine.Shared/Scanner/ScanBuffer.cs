using System.Text;

namespace MailEngine.Scanner;

/// <summary>
/// Text to scan, as a string (the managed tier) and as UTF-8 (Hyperscan, compiled with HS_FLAG_UTF8
/// which requires valid UTF-8: encoding the string ourselves guarantees it).
/// </summary>
public sealed class ScanBuffer(string text)
{
    private byte[]? _utf8;

    public string Text { get; } = text;
    public byte[] Utf8 => _utf8 ??= Encoding.UTF8.GetBytes(Text);
}
