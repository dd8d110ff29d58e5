namespace Observability.Tests;

public sealed class PrometheusExpositionTests(PrometheusServer prometheus) : IClassFixture<PrometheusServer>
{
    [Fact]
    public async Task Scraping_a_real_metrics_endpoint_yields_its_samples_with_labels()
    {
        var samples = await PrometheusExposition.ScrapeAsync(new Uri(prometheus.BaseAddress, "metrics").ToString());

        var build = Assert.Single(samples, sample => sample.Name == "prometheus_build_info");
        Assert.Equal(1, build.Value);
        Assert.StartsWith("2.", build.Label("version"));
        Assert.Contains(samples, sample => sample.Name.EndsWith("_bucket", StringComparison.Ordinal) && sample.Label("le") == "+Inf");
    }

    [Fact]
    public void Escaped_label_values_and_special_values_are_read_as_written()
    {
        var samples = PrometheusExposition.Parse("""
            # HELP circuit_breaker_state State.
            # TYPE circuit_breaker_state gauge
            circuit_breaker_state{endpoint="http://a/b?x=\"1\",y",otel_scope_name="BotSystem"} 2 1700000000000
            webhook_dlq_size 0
            bot_execution_duration_seconds_bucket{bot_type="java",le="+Inf"} +Inf
            """);

        Assert.Equal(3, samples.Count);
        Assert.Equal("http://a/b?x=\"1\",y", samples[0].Label("endpoint"));
        Assert.Equal("BotSystem", samples[0].Label("otel_scope_name"));
        Assert.Equal(2, samples[0].Value);
        Assert.Empty(samples[1].Labels);
        Assert.Equal(double.PositiveInfinity, samples[2].Value);
    }
}
