using BotSystem.ApiGateway.Invocations;

namespace BotSystem.ApiGateway.Extensions;

public static class Extensions
{
    public static IHostApplicationBuilder AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddRedisClient("redis");

        builder.Services.AddOptions<GatewayOptions>()
            .BindConfiguration(GatewayOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton<ClientDirectory>();
        builder.Services.AddSingleton<ClientRateLimiter>();
        builder.Services.AddSingleton<ClientAuthenticationFilter>();
        builder.Services.AddSingleton<InvocationService>();
        builder.Services.AddHostedService<Metrics.QueueMetrics>();
        builder.Services.AddProblemDetails();
        builder.Services.AddOpenApi();
        return builder;
    }
}
