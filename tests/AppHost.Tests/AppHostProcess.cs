using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace AppHost.Tests;

/// <summary>The AppHost as a real process with every port free-chosen, so tests never collide with a running system.</summary>
public sealed class AppHostProcess : IAsyncDisposable
{
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(5) };

    private AppHostProcess(ServiceProcess process, int dashboardPort)
    {
        Process = process;
        DashboardUrl = $"http://127.0.0.1:{dashboardPort}";
    }

    public ServiceProcess Process { get; }

    public string DashboardUrl { get; }

    public static AppHostProcess Start(IReadOnlyDictionary<string, string?>? environment = null, params string[] extraArguments)
    {
        var dashboardPort = FreePort.Next();
        string[] arguments =
        [
            $"--Dashboard:Port={dashboardPort}", "--Ports:redis=0", "--Ports:api-gateway=0", "--Ports:webhook-manager=0",
            "--Ports:mock-webhook=0", "--Ports:prometheus=0", "--Ports:alertmanager=0", .. extraArguments,
        ];
        var process = ServiceProcess.StartService("AppHost", environment ?? new Dictionary<string, string?>(), arguments);
        return new AppHostProcess(process, dashboardPort);
    }

    public async Task<JsonArray> ResourcesAsync() =>
        (await _http.GetFromJsonAsync<JsonArray>($"{DashboardUrl}/api/resources"))!;

    /// <summary>Waits until <paramref name="condition"/> holds for the resource list, failing with the AppHost's output otherwise.</summary>
    public async Task<JsonArray> WaitForAsync(Func<JsonArray, bool> condition, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(120));
        JsonArray? last = null;
        while (DateTime.UtcNow < deadline)
        {
            if (Process.HasExited)
            {
                throw new InvalidOperationException($"The AppHost exited with {Process.ExitCode}:\n{Process.Output}");
            }
            try
            {
                last = await ResourcesAsync();
                if (condition(last))
                {
                    return last;
                }
            }
            catch (HttpRequestException)
            {
                // The dashboard is not up yet.
            }
            await Task.Delay(250);
        }
        throw new TimeoutException($"Resources never matched; last {last?.ToJsonString()}\n{Process.Output}");
    }

    public static bool AllHealthy(JsonArray resources) =>
        resources.Count > 0 && resources.All(resource => resource!["health"]!.GetValue<string>() == "healthy");

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await Process.DisposeAsync();
    }
}
