using AdminConsole.Core.Telemetry;

namespace AdminConsole.Core.Tests.Telemetry;

public sealed class PrometheusTextWriterTests
{
    [Fact]
    public void Families_get_one_HELP_and_TYPE_line_and_samples_follow()
    {
        var text = new PrometheusTextWriter()
            .Gauge("mail_queue", "Messages queued.", 3, ("state", "active"))
            .Gauge("mail_queue", "Messages queued.", 1.5, ("state", "deferred"))
            .Counter("mail_delivered_total", "Messages delivered.", 42)
            .ToString();

        Assert.Equal(
            "# HELP mail_queue Messages queued.\n# TYPE mail_queue gauge\n" +
            "mail_queue{state=\"active\"} 3\nmail_queue{state=\"deferred\"} 1.5\n" +
            "# HELP mail_delivered_total Messages delivered.\n# TYPE mail_delivered_total counter\n" +
            "mail_delivered_total 42\n",
            text);
    }

    [Fact]
    public void Label_values_are_escaped_as_the_exposition_format_requires() =>
        Assert.Equal(
            "# HELP m h\n# TYPE m gauge\nm{path=\"a\\\\b\\\"c\\nd\"} 1\n",
            new PrometheusTextWriter().Gauge("m", "h", 1, ("path", "a\\b\"c\nd")).ToString());

    [Fact]
    public void Special_values_use_the_formats_spelling() =>
        Assert.Contains("m +Inf\nm NaN\n", new PrometheusTextWriter().Gauge("m", "h", double.PositiveInfinity).Gauge("m", "h", double.NaN).ToString(), StringComparison.Ordinal);
}
