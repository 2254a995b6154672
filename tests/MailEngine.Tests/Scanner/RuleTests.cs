using MailEngine.Contracts;
using MailEngine.Scanner;

namespace MailEngine.Tests.Scanner;

/// <summary>
/// The shipped rules and the data-file tests (Stalwart-style "expect SYMBOL" + message): every
/// expectation holds in every tier, and the tiers agree on every message.
/// </summary>
public sealed class RuleTests
{
    public static TheoryData<ScannerTier> Tiers => new() { ScannerTier.Native, ScannerTier.Ssse3Baseline, ScannerTier.Managed };

    public static TheoryData<string> CorpusNames
    {
        get
        {
            var data = new TheoryData<string>();
            foreach (var m in SpamScanner.BuiltInCorpus) data.Add(m.Name);
            return data;
        }
    }

    private static readonly Lazy<Dictionary<ScannerTier, CompiledRules>> Compiled = new(() =>
        new[] { ScannerTier.Native, ScannerTier.Ssse3Baseline, ScannerTier.Managed }.ToDictionary(t => t, t => CompiledRules.Shared(RuleFile.Defaults, t)));

    [Fact]
    public void The_default_set_has_several_hundred_rules_with_unique_names_and_descriptions()
    {
        Assert.True(RuleFile.Defaults.Count >= 300, $"{RuleFile.Defaults.Count} rules");
        Assert.Equal(RuleFile.Defaults.Count, RuleFile.Defaults.Select(r => r.Name).Distinct().Count());
        Assert.All(RuleFile.Defaults, r => Assert.False(string.IsNullOrWhiteSpace(r.Description)));
        Assert.Contains(RuleFile.Defaults, r => r.Target.StartsWith("header:", StringComparison.Ordinal));
        foreach (var target in RuleFile.FixedTargets) Assert.Contains(RuleFile.Defaults, r => r.Target == target);
    }

    [Fact]
    public void Rules_Hyperscan_cannot_compile_are_placed_as_prefilters_or_managed_only()
    {
        var native = Compiled.Value[ScannerTier.Native];
        // Back-references and lookbehind: Hyperscan refuses them as written.
        Assert.NotEqual(RulePlacement.Hyperscan, native.Placements["RAW_BACKREF_HTML_TAG"]);
        Assert.NotEqual(RulePlacement.Hyperscan, native.Placements["RAW_LOOKBEHIND_PRICE"]);
        Assert.Equal(RulePlacement.Hyperscan, native.Placements["GTUBE"]);
        Assert.Contains(native.Placements.Values, p => p == RulePlacement.Prefilter);
        Assert.True(native.Placements.Values.Count(p => p == RulePlacement.Hyperscan) > 300);
        Assert.All(Compiled.Value[ScannerTier.Managed].Placements.Values, p => Assert.Equal(RulePlacement.ManagedOnly, p));
    }

    [Theory]
    [MemberData(nameof(CorpusNames))]
    public void Every_tier_raises_the_expected_symbols_and_the_same_ones(string name)
    {
        var message = SpamScanner.BuiltInCorpus.Single(m => m.Name == name);
        var results = new Dictionary<ScannerTier, IReadOnlySet<string>>();
        foreach (var (tier, rules) in Compiled.Value)
        {
            var symbols = rules.Scan(MessageAnalysis.Load(message.Message));
            results[tier] = symbols;
            Assert.True(message.Expected.IsSubsetOf(symbols), $"{tier}: missing {string.Join(' ', message.Expected.Except(symbols))}; got {string.Join(' ', symbols.Order())}");
            Assert.False(message.Unexpected.Overlaps(symbols), $"{tier}: unexpected {string.Join(' ', message.Unexpected.Intersect(symbols))}");
        }

        Assert.True(results[ScannerTier.Native].SetEquals(results[ScannerTier.Managed]), $"native [{string.Join(' ', results[ScannerTier.Native].Order())}] managed [{string.Join(' ', results[ScannerTier.Managed].Order())}]");
        Assert.True(results[ScannerTier.Native].SetEquals(results[ScannerTier.Ssse3Baseline]));
    }

    [Theory]
    [InlineData("NAME body 1", "expected NAME TARGET SCORE")]
    [InlineData("lower body 1 /abc/ d", "capitals")]
    [InlineData("NAME bogus 1 /abc/ d", "target 'bogus'")]
    [InlineData("NAME body many /abc/ d", "not a number")]
    [InlineData("NAME body 1 /abc d", "closing '/'")]
    [InlineData("NAME body 1 /abc/q d", "unknown flag")]
    [InlineData("NAME body 1 /a(b/ d", "does not compile")]
    [InlineData("NAME body 1 /a*/ d", "matches empty text")]
    [InlineData("NAME body 1 /abc/i", "needs a description")]
    public void A_bad_rule_line_is_refused_with_its_file_and_line(string line, string expected)
    {
        var error = Assert.Throws<FormatException>(() => RuleFile.Parse("# first\n" + line, "local.rules"));
        Assert.StartsWith("local.rules:2: ", error.Message, StringComparison.Ordinal);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_slash_inside_a_pattern_is_escaped_and_flags_are_read()
    {
        var rule = Assert.Single(RuleFile.Parse(@"LINK uri 1.5 /^https?:\/\/x\// A link to x", "t.rules"));
        Assert.Equal(@"^https?:\/\/x\/", rule.Pattern);
        Assert.Equal(string.Empty, rule.Flags);
        var flagged = Assert.Single(RuleFile.Parse("MULTI body -0.5 /^a.b$/ims Multi", "t.rules"));
        Assert.Equal(new ScanPattern(7, "^a.b$", true, true, true), flagged.ToPattern(7));
        Assert.Equal(-0.5, flagged.Score);
    }

    [Theory]
    [InlineData("viagra", "viagra")]
    [InlineData(@"click\s+here", "click")]
    [InlineData(@"https?:\/\/[^/]+\.ru", "http")]
    [InlineData(@"abc?def", "def")]
    [InlineData(@"(?:foo|bar)baz", "baz")]
    [InlineData(@"a|bcdef", null)]
    [InlineData(@"x[abc]yz", null)]
    [InlineData(@"colou?r", "colo")]
    [InlineData(@"fre+dom", "fre")]
    public void The_managed_prefilter_takes_a_literal_every_match_contains(string pattern, string? literal) =>
        Assert.Equal(literal, ManagedPatternMatcher.RequiredLiteral(pattern));

    [Theory]
    [InlineData(@"\b(?:viagra|cialis|xanax)\b", "viagra cialis xanax")]
    [InlineData(@"free\s+(?:money|cash)", "free")]
    [InlineData(@"\b(?:click here|act now)|\bbuy now\b", "click here|act now|buy now")]
    [InlineData(@"(?:abc)?def", "def")]
    [InlineData(@"(?:abc)?(?:de|fg)", null)]
    [InlineData(@"(?=lookahead)x", null)]
    [InlineData(@"(?<word>hello|world) there", " there")]
    [InlineData(@"(?<word>hello|world)\s", "hello world")]
    public void The_managed_prefilter_takes_any_of_the_alternatives_a_match_must_contain(string pattern, string? expected)
    {
        var literals = ManagedPatternMatcher.RequiredLiterals(pattern);
        Assert.Equal(expected, literals is null ? null : string.Join(expected!.Contains('|', StringComparison.Ordinal) ? "|" : " ", literals));
    }
}
