using BenchmarkDotNet.Attributes;
using MailEngine.Scanner;
using Microsoft.Extensions.Logging.Abstractions;

namespace MailEngine.Benchmarks;

/// <summary>One scanner pass over a 10 KB message per tier: the analysis (MIME, text, URIs) and the rule match.</summary>
[MemoryDiagnoser]
public class ScannerBenchmarks
{
    private SpamScanner _scanner = default!;
    private string _state = default!;

    [Params(Contracts.ScannerTier.Native, Contracts.ScannerTier.Ssse3Baseline, Contracts.ScannerTier.Managed)]
    public Contracts.ScannerTier Tier { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _state = Directory.CreateTempSubdirectory("bench-scanner").FullName;
        _scanner = new SpamScanner(new ScannerOptions(), _state, NullLogger.Instance);
        _scanner.Force(Tier);
    }

    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(_state, recursive: true);

    [Benchmark]
    public MessageAnalysis Analyse() => MessageAnalysis.Load(SampleMessages.TenKilobytes);

    [Benchmark]
    public SpamScanResult Scan() => _scanner.Scan(MessageAnalysis.Load(SampleMessages.TenKilobytes));
}
