using System.Text;
using BenchmarkDotNet.Attributes;
using MailEngine.Imap.Fetch;
using MailEngine.Imap.Protocol;
using MailEngine.Store;

namespace MailEngine.Benchmarks;

/// <summary>IMAP command parsing and the FETCH ENVELOPE a client's message list asks for on every message.</summary>
[MemoryDiagnoser]
public class ImapBenchmarks
{
    private static readonly byte[] Fetch = Encoding.ASCII.GetBytes("a12 UID FETCH 1:* (UID FLAGS RFC822.SIZE INTERNALDATE BODY.PEEK[HEADER.FIELDS (From To Cc Subject Date Message-ID)])");
    private static readonly byte[] Search = Encoding.ASCII.GetBytes("a13 UID SEARCH OR (FROM \"ann\" SINCE 1-Nov-2026) (SUBJECT \"figures\" NOT SEEN)");
    private readonly MimeNode _structure = MimeStructureParser.Parse(SampleMessages.TenKilobytes);
    private readonly ImapWriter _writer = new(() => Stream.Null);

    [Benchmark]
    public ImapCommand ParseFetch() => Parse(Fetch);

    [Benchmark]
    public ImapCommand ParseSearch() => Parse(Search);

    private static ImapCommand Parse(byte[] line)
    {
        var builder = new ImapCommandBuilder();
        builder.FeedLine(line);
        return builder.Build();
    }

    /// <summary>Parsing the message's structure, as the first FETCH of a message does.</summary>
    [Benchmark]
    public MimeNode ParseStructure() => MimeStructureParser.Parse(SampleMessages.TenKilobytes);

    [Benchmark]
    public int FetchEnvelope()
    {
        EnvelopeWriter.Write(_writer, SampleMessages.TenKilobytes, _structure);
        var length = _writer.ToArray().Length;
        return length;
    }
}
