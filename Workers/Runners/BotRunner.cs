using System.Text.Json.Nodes;
using BotSystem.Contracts;

namespace BotSystem.Workers.Runners;

/// <summary>Runs a bot job the way its bot declares: cold in a process of its own, or warm in a pooled host.</summary>
public sealed class BotRunner(BotLaunchers launchers, BotProcess coldProcess, WarmHostPool warmHosts)
{
    public async Task<BotRunOutcome> RunAsync(BotJobData job, Func<JsonNode, Task> onProgress, Func<string, Task> onLog, CancellationToken cancellation)
    {
        var launch = await launchers.LaunchFor(job, cancellation);
        return launch.Warm is null
            ? await coldProcess.RunAsync(launch, onProgress, onLog, cancellation)
            : await warmHosts.RunAsync(job.BotType, launch, onProgress, onLog, cancellation);
    }
}
