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
                options.MaxPythonBots = configuration.GetValue("MAX_PYTHON_BOTS", options.MaxPythonBots);
                options.MaxNodeBots = configuration.GetValue("MAX_NODE_BOTS", options.MaxNodeBots);
                options.MaxJavaBots = configuration.GetValue("MAX_JAVA_BOTS", options.MaxJavaBots);
            })
            .ValidateDataAnnotations()
            .ValidateOnStart();

        builder.Services.AddSingleton<Semaphores>();
        builder.Services.AddSingleton<BotQueues>();
        builder.Services.AddSingleton<InvocationProcessor>();
        builder.Services.AddHostedService<InvocationWorkerService>();
        return builder;
    }
}
