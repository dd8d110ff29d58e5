using BotSystem.Workers.Lifecycle;
using BotSystem.Workers.Runners;

namespace BotSystem.Workers.Extensions;

public static class Extensions
{
    public static IHostApplicationBuilder AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddRedisClient("redis");

        builder.Services.AddOptions<WorkersOptions>()
            .BindConfiguration(WorkersOptions.SectionName)
            .Configure<IConfiguration>((options, configuration) =>
            {
                // `--types python,node` on the command line narrows what this process serves.
                if (configuration["types"] is { Length: > 0 } types)
                {
                    options.Types = [.. types.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];
                }
                if (options.Types.Count == 0)
                {
                    options.Types = [.. BotSystem.Contracts.BotTypes.All];
                }
            })
            .ValidateDataAnnotations()
            .ValidateOnStart();

        builder.Services.AddSingleton<WorkerLifecycle>();
        builder.Services.AddSingleton<BotSpawner>();
        builder.Services.AddSingleton<BotProcess>();
        builder.Services.AddSingleton<WarmHostPool>();
        builder.Services.AddSingleton<BotLaunchers>();
        builder.Services.AddSingleton<BotRunner>();
        builder.Services.AddSingleton<RunningBots>();
        builder.Services.AddSingleton<BotPermits>();
        builder.Services.AddSingleton<RunnerMetrics>();
        builder.Services.AddHostedService<WorkerRegistration>();
        builder.Services.AddHostedService<BotQueueRunner>();
        builder.Services.AddHealthChecks().AddCheck<WorkerStateHealthCheck>("lifecycle");
        return builder;
    }
}
