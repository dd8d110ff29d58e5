using System.Runtime.InteropServices;
using BotSystem.AppHost.Dashboard;

namespace BotSystem.AppHost.Resources;

/// <summary>Runs the declared resources: dashboard first, then each resource once its dependencies are healthy; stops them all on Ctrl+C, SIGTERM or a closed terminal.</summary>
public sealed class DistributedApplication(DistributedApplicationBuilder builder)
{
    private static readonly TimeSpan StopDeadline = TimeSpan.FromSeconds(15);

    public async Task<int> RunAsync()
    {
        using var stopping = new CancellationTokenSource();
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context => { context.Cancel = true; stopping.Cancel(); });
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, context => { context.Cancel = true; stopping.Cancel(); });
        // The resources run in sessions of their own, so a closed terminal reaches only the AppHost, which stops them.
        using var sighup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, context => { context.Cancel = true; stopping.Cancel(); });

        var dashboardPort = builder.DashboardPort;
        await using var dashboard = await ResourceDashboard.StartAsync(dashboardPort, builder.Resources);
        var supervisors = builder.Resources.Select(resource => resource.SuperviseAsync(stopping.Token)).ToList();
        _ = ReportWhenHealthyAsync(dashboardPort, stopping.Token);

        try
        {
            await Task.Delay(Timeout.Infinite, stopping.Token);
        }
        catch (OperationCanceledException)
        {
            Console.WriteLine("Stopping every resource...");
        }
        foreach (var resource in builder.Resources.Reverse())
        {
            await resource.StopAsync(StopDeadline);
        }
        await Task.WhenAll(supervisors);
        Console.WriteLine("Stopped.");
        return 0;
    }

    private async Task ReportWhenHealthyAsync(int dashboardPort, CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            var health = await Task.WhenAll(builder.Resources.Select(resource => resource.IsHealthyAsync()));
            if (health.All(healthy => healthy))
            {
                break;
            }
            await Task.Delay(500, stopping).ContinueWith(_ => { }, TaskScheduler.Default);
        }
        if (stopping.IsCancellationRequested)
        {
            return;
        }
        Console.WriteLine();
        Console.WriteLine($"{"resource",-18}{"url",-32}pid");
        foreach (var resource in builder.Resources)
        {
            Console.WriteLine($"{resource.Name,-18}{resource.Url,-32}{resource.Pid}");
        }
        Console.WriteLine($"{"dashboard",-18}{$"http://localhost:{dashboardPort}",-32}{Environment.ProcessId}");
        foreach (var skipped in builder.Skipped)
        {
            Console.WriteLine($"skipped {skipped}");
        }
        Console.WriteLine("All resources are healthy. Ctrl+C stops them.");
    }
}
