using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace BotSystem.Workers.Lifecycle;

/// <summary><c>/health</c> reflects the lifecycle: healthy when jobs can be claimed, degraded while starting, unhealthy in ERROR.</summary>
public sealed class WorkerStateHealthCheck(WorkerLifecycle lifecycle) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(lifecycle.State switch
        {
            WorkerState.READY or WorkerState.PROCESSING => HealthCheckResult.Healthy(lifecycle.State.ToString()),
            WorkerState.ERROR or WorkerState.STOPPED => HealthCheckResult.Unhealthy(lifecycle.State.ToString()),
            _ => HealthCheckResult.Degraded(lifecycle.State.ToString()),
        });
}
