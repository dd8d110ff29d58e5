using System.Text.Json.Serialization;
using BotSystem.ApiGateway.Apis;
using BotSystem.ApiGateway.Invocations;
using BotSystem.ApiGateway.Schedules;
using Microsoft.Extensions.Options;

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
        builder.Services.AddOptions<GatewayClientsOptions>()
            .Configure<IConfiguration>((options, configuration) => configuration.GetSection(GatewayClientsOptions.Section).Bind(options.Clients))
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<GatewayClientsOptions>, GatewayClientsValidation>();
        builder.Services.AddSingleton<ClientDirectory>();
        builder.Services.AddSingleton<ClientRateLimiter>();
        builder.Services.AddSingleton<ClientAuthenticationFilter>();
        builder.Services.AddSingleton<InvocationService>();
        builder.Services.AddSingleton<ScheduleService>();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<ClientOrAdminFilter>();
        builder.Services.AddHostedService<Metrics.QueueMetrics>();
        builder.AddProblemResponses();
        // Numbers are read as numbers only, so the API document calls them integers, not integers or numeric strings.
        builder.Services.ConfigureHttpJsonOptions(options => options.SerializerOptions.NumberHandling = JsonNumberHandling.Strict);
        builder.Services.AddApiDocs();
        return builder;
    }
}
