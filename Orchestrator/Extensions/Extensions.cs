using BotSystem.Contracts;
using BotSystem.Orchestrator.Invocations;

namespace BotSystem.Orchestrator.Extensions;

public static class Extensions
{
    public static IHostApplicationBuilder AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddRedisClient("redis");

        builder.Services.AddOptions<OrchestratorOptions>()
            .BindConfiguration(OrchestratorOptions.SectionName)
            .Configure<IConfiguration>((options, configuration) =>
            {
                options.MaxPythonBots = configuration.GetValue(BotLimits.Of(BotTypes.Python).Variable, options.MaxPythonBots);
                options.MaxNodeBots = configuration.GetValue(BotLimits.Of(BotTypes.Node).Variable, options.MaxNodeBots);
                options.MaxJavaBots = configuration.GetValue(BotLimits.Of(BotTypes.Java).Variable, options.MaxJavaBots);
            })
            .ValidateDataAnnotations()
            .ValidateOnStart();

        builder.Services.AddSingleton<Semaphores>();
        builder.Services.AddSingleton<BotQueues>();
        builder.Services.AddSingleton<PermitWaiters>();
        builder.Services.AddSingleton<PermitWaitCancellations>();
        builder.Services.AddSingleton<InvocationProcessor>();
        builder.Services.AddHostedService<InvocationWorkerService>();
        return builder;
    }
}
