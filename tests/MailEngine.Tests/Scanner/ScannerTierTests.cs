using MailEngine.Contracts;
using MailEngine.Scanner;

namespace MailEngine.Tests.Scanner;

/// <summary>The scanner's tiers: chosen with a reason, and giving the same matches for the same data.</summary>
public sealed class ScannerTierTests
{
    private static readonly ScanPattern[] Patterns =
    [
        new(1, @"XJS\*C4JDBQADN1\.NSBN3\*2IDNEN\*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL\*C\.34X", Caseless: false),
        new(2, @"viagra|cialis"),
        new(3, @"click\s+here\s+to\s+unsubscribe"),
        new(4, @"https?://[^/\s]*\.(?:ru|cn)/"),
        new(5, @"\$\d{1,3}(?:,\d{3})+ (?:USD|dollars)"),
    ];

    public static TheoryData<string, uint[]> Samples => new()
    {
        { "Subject: hello\r\n\r\nXJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X\r\n", [1] },
        { "Buy VIAGRA now! Click   here to unsubscribe.", [2, 3] },
        { "See http://cheap.example.ru/offer and win $1,000,000 USD", [4, 5] },
        { "A perfectly ordinary message about the quarterly report.", [] },
        { "gtube-standard-anti-ube-test-email in lower case is not GTUBE", [] },
    };

    [Fact]
    public void With_libhyperscan_present_the_native_tier_is_chosen_and_says_why()
    {
        var platform = ScannerTiers.Detect();
        Assert.True(platform.LibraryFound, platform.Reason); // deploy/test.sh installs libhyperscan5
        Assert.True(platform.ValidPlatform);
        Assert.Equal(ScannerTier.Native, platform.Tier);
        Assert.StartsWith("5.4.0", platform.Version, StringComparison.Ordinal);
        Assert.False(platform.IsVectorscan);
        Assert.Contains("SSSE3", platform.CpuFeatures);
    }

    [Fact]
    public void A_configured_library_that_does_not_exist_means_the_managed_tier_with_the_reason()
    {
        var platform = ScannerTiers.Detect("/nonexistent/libhs.so.5");
        Assert.False(platform.LibraryFound);
        Assert.Equal(ScannerTier.Managed, platform.Tier);
        Assert.Contains("/nonexistent/libhs.so.5", platform.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Forcing_a_tier_is_honoured_and_recorded()
    {
        Assert.Equal((ScannerTier.Managed, "forced by an administrator"), (ScannerTiers.Detect(forced: ScannerTier.Managed) is var m ? (m.Tier, m.Reason) : default));
        Assert.Equal(ScannerTier.Ssse3Baseline, ScannerTiers.Detect(forced: ScannerTier.Ssse3Baseline).Tier);
    }

    [Fact]
    public void The_baseline_database_is_compiled_for_no_CPU_features_and_the_native_one_for_this_CPU()
    {
        using var baseline = new HyperscanPatternMatcher(Patterns, baseline: true);
        using var native = new HyperscanPatternMatcher(Patterns, baseline: false);
        // hs_database_info: "Version: 5.4.0 Features: <features> Mode: BLOCK"; the baseline has none.
        Assert.Equal("Version: 5.4.0 Features:  Mode: BLOCK", baseline.Info);
        Assert.StartsWith("Version: 5.4.0 Features: ", native.Info, StringComparison.Ordinal);
        // hs_populate_platform names AVX2 (or better) when the CPU has it.
        if (System.Runtime.Intrinsics.X86.Avx2.IsSupported) Assert.NotEqual(baseline.Info, native.Info);
    }

    [Theory]
    [MemberData(nameof(Samples))]
    public void Every_tier_reports_the_same_matches(string text, uint[] expected)
    {
        var data = new ScanBuffer(text);
        foreach (var tier in new[] { ScannerTier.Native, ScannerTier.Ssse3Baseline, ScannerTier.Managed })
        {
            using var matcher = ScannerTiers.Create(tier, Patterns);
            var matched = new HashSet<uint>();
            matcher.Match(data, matched);
            var actual = matched.Order().ToArray();
            Assert.True(expected.Order().SequenceEqual(actual), $"{tier} matched [{string.Join(", ", actual)}], expected [{string.Join(", ", expected)}]");
        }
    }
}
