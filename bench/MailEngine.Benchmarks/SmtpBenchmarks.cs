using System.Buffers;
using BenchmarkDotNet.Attributes;
using MailEngine.Queue;
using MailEngine.Smtp;

namespace MailEngine.Benchmarks;

/// <summary>The SMTP ingest path piece by piece: command parsing, DATA decoding, the durable spool write.</summary>
[MemoryDiagnoser]
public class SmtpBenchmarks
{
    private readonly ReadOnlySequence<byte> _data = new(SampleMessages.AsData(SampleMessages.TenKilobytes));
    private readonly ArrayBufferWriter<byte> _sink = new(16 * 1024);
    private Spool _spool = default!;
    private string _root = default!;

    [GlobalSetup]
    public void Setup()
    {
        _root = Directory.CreateTempSubdirectory("bench-spool").FullName;
        _spool = new Spool(_root);
    }

    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(_root, recursive: true);

    [Benchmark]
    public SmtpPath? MailFrom() => SmtpPath.TryParse("FROM:<ann@example.net> SIZE=10240 BODY=8BITMIME", "FROM", allowNull: true, out _);

    [Benchmark]
    public SmtpPath? RcptTo() => SmtpPath.TryParse("TO:<bob+lists@example.test>", "TO", allowNull: false, out _);

    /// <summary>A 10 KB message through the dot-unstuffing decoder in one buffer.</summary>
    [Benchmark]
    public long DecodeData()
    {
        var decoder = new DataDecoder(25L * 1024 * 1024, 998 * 10);
        _sink.ResetWrittenCount();
        decoder.Decode(_data, _sink);
        return decoder.MessageBytes;
    }

    /// <summary>What acknowledging a 10 KB message costs on this disk: the spool file written and fsync'ed with its directory.</summary>
    [Benchmark]
    public string SpoolWrite()
    {
        var envelope = new Envelope
        {
            QueueId = Spool.NewQueueId(),
            ReceivedAt = DateTimeOffset.UtcNow,
            Sender = "ann@example.net",
            Targets = [new DeliveryTarget("bob@example.test", true, "bob@example.test")],
        };
        using (var incoming = _spool.Begin(envelope))
        {
            incoming.Stream.Write(SampleMessages.TenKilobytes);
            incoming.Commit();
        }

        _spool.Complete(envelope.QueueId);
        return envelope.QueueId;
    }
}
