using BotSystem.ApiGateway.Admin;
using Microsoft.AspNetCore.Http.HttpResults;

namespace BotSystem.ApiGateway.SystemHealth;

public static class SystemHealthApi
{
    public static IHostApplicationBuilder AddSystemHealth(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<SystemHealthOptions>()
            .BindConfiguration(SystemHealthOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddHttpClient(SystemHealthMonitor.HttpClientName, http => http.Timeout = TimeSpan.FromSeconds(5));
        builder.Services.AddSingleton<SystemHealthMonitor>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<SystemHealthMonitor>());
        return builder;
    }

    /// <summary><c>GET /health/system</c> (admin): the last aggregated report; 503 unless healthy or degraded.</summary>
    public static WebApplication MapSystemHealthApi(this WebApplication app)
    {
        app.MapGet("/health/system", GetSystemHealth).AddEndpointFilter<AdminAuthorizationFilter>().WithTags("Admin")
            .Produces<SystemHealthReport>()
            .Produces<SystemHealthReport>(StatusCodes.Status503ServiceUnavailable);
        return app;
    }

    private static JsonHttpResult<SystemHealthReport> GetSystemHealth(SystemHealthMonitor monitor) =>
        TypedResults.Json(monitor.Current, statusCode: monitor.Current.Status == SystemHealthReport.Unhealthy
            ? StatusCodes.Status503ServiceUnavailable
            : StatusCodes.Status200OK);
}
