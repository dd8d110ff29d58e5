using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Cross-cutting concerns shared by every service: telemetry, health checks, service discovery
/// and HTTP resilience. Services only add their own meters, activity sources and checks.
/// </summary>
public static class Extensions
{
    private const string HealthEndpointPath = "/health";
    private const string AlivenessEndpointPath = "/alive";
    private const string LiveTag = "live";

    // From 5 ms to the longest bot run. The SDK's default bounds are made for milliseconds (0, 5, 10, 25, ...): every bot
    // run and delivery under 5 s fell in one bucket, and the dashboard's percentiles of them read 2.5 s whatever they took.
    private static readonly double[] DurationBuckets =
        [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 25, 50, 75, 100, 250, 500];

    /// <summary>Meter and activity source names every service registers through <see cref="BotSystemTelemetry"/>.</summary>
    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.AddBasicServiceDefaults();

        builder.Services.AddServiceDiscovery();
        builder.Services.ConfigureHttpClientDefaults(http =>
        {
            http.AddStandardResilienceHandler();
            http.AddServiceDiscovery();
        });

        return builder;
    }

    /// <summary>Telemetry, health and a failure exit code when background work fails, for services that make no outgoing HTTP calls.</summary>
    public static TBuilder AddBasicServiceDefaults<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.ConfigureOpenTelemetry();
        builder.AddDefaultHealthChecks();
        builder.Services.AddHostedService<FailedBackgroundServiceExitCode>();
        return builder;
    }

    public static TBuilder ConfigureOpenTelemetry<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.IncludeFormattedMessage = true;
            logging.IncludeScopes = true;
        });

        builder.Services.AddOpenTelemetry()
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddMeter(BotSystemTelemetry.Name)
                .AddView(instrument => instrument is Histogram<double> { Unit: "s" } && instrument.Meter.Name == BotSystemTelemetry.Name
                    ? new ExplicitBucketHistogramConfiguration { Boundaries = DurationBuckets }
                    : null)
                .AddPrometheusExporter());

        // Spans are recorded only when there is a collector to send them to: without one, every request paid for spans
        // nobody could see (about a sixth of the gateway's CPU per /invoke).
        if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            builder.Services.AddOpenTelemetry()
                .WithTracing(tracing => tracing
                    .AddSource(builder.Environment.ApplicationName, BotSystemTelemetry.Name + "*")
                    .AddAspNetCoreInstrumentation(options =>
                        options.Filter = context => !IsInfrastructurePath(context.Request.Path))
                    .AddHttpClientInstrumentation())
                .UseOtlpExporter();
        }

        return builder;
    }

    public static TBuilder AddDefaultHealthChecks<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddHealthChecks()
            .AddCheck("self", () => HealthCheckResult.Healthy(), [LiveTag]);
        builder.Services.AddSingleton<HealthChangeLog>();
        builder.Logging.AddFilter(HealthChangeLog.ReplacedCategory, LogLevel.None);
        return builder;
    }

    /// <summary>
    /// Maps <c>/health</c> (every check), <c>/alive</c> (liveness only) and the Prometheus scraping
    /// endpoint <c>/metrics</c>. They are mapped in every environment because the AppHost, probes and
    /// tests depend on them; they reveal nothing but status.
    /// </summary>
    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        app.MapHealthChecks(HealthEndpointPath, new HealthCheckOptions { ResponseWriter = HealthChangeLog.WriteResponseAsync });
        app.MapHealthChecks(AlivenessEndpointPath, new HealthCheckOptions
        {
            Predicate = registration => registration.Tags.Contains(LiveTag),
            ResponseWriter = HealthChangeLog.WriteResponseAsync,
        });
        app.MapPrometheusScrapingEndpoint();
        return app;
    }

    private static bool IsInfrastructurePath(PathString path) =>
        path.StartsWithSegments(HealthEndpointPath)
        || path.StartsWithSegments(AlivenessEndpointPath)
        || path.StartsWithSegments("/metrics");
}
