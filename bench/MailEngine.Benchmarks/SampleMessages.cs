using System.Text;

namespace MailEngine.Benchmarks;

/// <summary>The messages the benchmarks work on: a 10 KB plain message (smtp.sh's size) with ordinary headers.</summary>
internal static class SampleMessages
{
    public static readonly byte[] TenKilobytes = Build(10 * 1024);

    private static byte[] Build(int size)
    {
        var text = new StringBuilder()
            .Append("Received: from client.example.net ([192.0.2.10])\r\n\tby mx.example.test with ESMTP id 0123456789ABCDEF;\r\n\tTue, 01 Dec 2026 10:00:00 +0000\r\n")
            .Append("From: \"Ann Sender\" <ann@example.net>\r\nTo: Bob <bob@example.test>, carol@example.test\r\nCc: team@example.test\r\n")
            .Append("Subject: Quarterly figures and the plan for next week\r\nDate: Tue, 01 Dec 2026 10:00:00 +0000\r\n")
            .Append("Message-ID: <20261201100000.12345@example.net>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n");
        var line = "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt.\r\n";
        while (text.Length < size) text.Append(line);
        return Encoding.UTF8.GetBytes(text.ToString());
    }

    /// <summary>The message as it travels in DATA: dot-stuffed lines and the final ".".</summary>
    public static byte[] AsData(byte[] message)
    {
        var text = Encoding.UTF8.GetString(message).Replace("\r\n.", "\r\n..", StringComparison.Ordinal);
        return Encoding.UTF8.GetBytes(text + ".\r\n");
    }
}
