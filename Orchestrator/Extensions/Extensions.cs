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
            .Validate(options => options.KeepFinishedJobs >= options.LargestLimit,
                "Orchestrator:KeepFinishedJobs must be at least the largest bot limit (MAX_PYTHON_BOTS, MAX_NODE_BOTS, MAX_JAVA_BOTS): "
                + "a bot's outcome is read from its finished job, which a smaller retention removes before it is read.")
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
