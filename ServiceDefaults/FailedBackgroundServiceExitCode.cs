using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Makes the process exit with code 1 when a background service failed: the host stops then, but its exit code is 0,
/// and a supervisor that restarts only failures (systemd's <c>Restart=on-failure</c>, for one) would leave the
/// service down.
/// </summary>
internal sealed class FailedBackgroundServiceExitCode(IServiceProvider services, ILogger<FailedBackgroundServiceExitCode> logger)
    : IHostedLifecycleService
{
    public Task StoppedAsync(CancellationToken cancellationToken)
    {
        // Resolved only now: hosted services are singletons, and asking for them while they are built would ask for this one.
        var failed = services.GetServices<IHostedService>().OfType<BackgroundService>().Where(service => service.ExecuteTask is { IsFaulted: true }).ToList();
        if (failed.Count > 0)
        {
            logger.LogCritical("Exiting with code 1: {Services} failed.", string.Join(", ", failed.Select(service => service.GetType().Name)));
            Environment.ExitCode = 1;
        }
        return Task.CompletedTask;
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
