using AdminConsole.Core.Audit;

namespace AdminConsole.Core.Tests.Auditing;

/// <summary>The audit page's before/after: the details JSON the services write, read as changed fields.</summary>
public sealed class AuditDiffTests
{
    [Fact]
    public void An_update_lists_only_the_fields_that_changed_with_both_sides()
    {
        var diff = AuditDiff.Of("""
            {"before":{"Name":"example.com","Description":null,"DefaultQuotaBytes":1073741824,"CatchAllAddress":null,"MtaStsMode":"testing"},
             "after":{"Name":"example.com","Description":"Main office","DefaultQuotaBytes":5368709120,"CatchAllAddress":null,"MtaStsMode":"testing"}}
            """);
        Assert.Equal([new AuditChange("description", "(none)", "Main office"), new AuditChange("defaultQuotaBytes", "1073741824", "5368709120")], diff.Changes);
        Assert.Equal(3, diff.Unchanged);
        Assert.Empty(diff.Facts);
    }

    [Fact]
    public void A_creation_lists_every_field_it_set_and_nested_objects_get_dotted_names()
    {
        var diff = AuditDiff.Of("""{"after":{"address":"team@example.com","limits":{"quota":5,"tags":["a","b"]}}}""");
        Assert.Equal([new AuditChange("address", null, "team@example.com"), new AuditChange("limits.quota", null, "5"), new AuditChange("limits.tags", null, """["a","b"]""")], diff.Changes);
    }

    [Fact]
    public void Other_keys_are_kept_as_facts_beside_the_changes()
    {
        var diff = AuditDiff.Of("""{"before":{"members":2},"after":{"members":3},"mailboxes":4,"reason":{"code":"quota"}}""");
        Assert.Equal([new AuditChange("members", "2", "3")], diff.Changes);
        Assert.Equal([new AuditFact("mailboxes", "4"), new AuditFact("reason.code", "quota")], diff.Facts);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("  ")]
    public void No_details_is_an_empty_diff(string? details)
    {
        var diff = AuditDiff.Of(details);
        Assert.Empty(diff.Changes);
        Assert.Empty(diff.Facts);
    }

    [Theory]
    [InlineData("not json at all", "not json at all")]
    [InlineData("[1,2]", "[1,2]")]
    [InlineData("\"text\"", "\"text\"")]
    public void Details_that_are_not_an_object_are_shown_as_they_are(string details, string shown) =>
        Assert.Equal([new AuditFact("details", shown)], AuditDiff.Of(details).Facts);

    [Fact]
    public void A_field_only_on_one_side_is_a_change()
    {
        var diff = AuditDiff.Of("""{"before":{"a":1,"gone":"x"},"after":{"a":1,"new":"y"}}""");
        Assert.Equal([new AuditChange("gone", "x", null), new AuditChange("new", null, "y")], diff.Changes);
        Assert.Equal(1, diff.Unchanged);
    }
}
