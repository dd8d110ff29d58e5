using BotSystem.Contracts;
using BotSystem.JobEngine;
using BotSystem.WebhookManager;
using BotSystem.WebhookManager.Admin;
using BotSystem.WebhookManager.Delivery;
using BotSystem.WebhookManager.Endpoints;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Microsoft.Extensions.Hosting;

public static class Extensions
{
    public static IHostApplicationBuilder AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddProblemResponses();
        builder.Services.AddSingleton(TimeProvider.System);

        builder.Services.AddOptions<WebhookOptions>()
            .BindConfiguration(WebhookOptions.Section)
            .Configure<IConfiguration>((options, configuration) =>
            {
                options.MaxRetries = configuration.GetValue("WEBHOOK_MAX_RETRIES", options.MaxRetries);
                options.RetryDelayMs = configuration.GetValue("WEBHOOK_RETRY_DELAY", options.RetryDelayMs);
            })
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddOptions<WebhookClientsOptions>()
            .Configure<IConfiguration>((options, configuration) => configuration.GetSection(WebhookClientsOptions.Section).Bind(options.Clients))
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<WebhookClientsOptions>, WebhookClientsValidation>();
        builder.Services.AddOptions<AdminOptions>().BindConfiguration(AdminOptions.Section);

        builder.Services.AddSingleton(sp => new Queue(QueueNames.Webhooks, sp.GetRequiredService<IConnectionMultiplexer>()));
        builder.Services.AddSingleton<DeliveryQueue>();
        builder.Services.AddSingleton<DeliveryStore>();
        builder.Services.AddSingleton<DisabledEndpoints>();
        builder.Services.AddSingleton<EndpointPipelines>();
        builder.Services.AddSingleton<WebhookClients>();
        builder.Services.AddSingleton<WebhookSender>();
        builder.Services.AddSingleton<RetrySchedule>();
        builder.Services.AddSingleton<WebhookMetrics>();
        builder.Services.AddSingleton<DeliveryProcessor>();
        builder.Services.AddSingleton<DeadLetterQueue>();
        builder.Services.AddHostedService<DeliveryWorker>();
        return builder;
    }
}
