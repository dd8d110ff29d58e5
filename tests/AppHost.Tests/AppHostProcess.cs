using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace AppHost.Tests;

/// <summary>
/// The AppHost as a real process with every port free-chosen and its data in a temporary directory, so tests
/// never collide with a running system or with each other.
/// </summary>
public sealed class AppHostProcess : IAsyncDisposable
{
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(5) };
    private readonly DirectoryInfo _dataDirectory;

    private AppHostProcess(ServiceProcess process, int dashboardPort, DirectoryInfo dataDirectory)
    {
        Process = process;
        DashboardPort = dashboardPort;
        DashboardUrl = $"http://127.0.0.1:{dashboardPort}";
        _dataDirectory = dataDirectory;
    }

    public ServiceProcess Process { get; }

    public int DashboardPort { get; }

    public string DashboardUrl { get; }

    public static AppHostProcess Start(IReadOnlyDictionary<string, string?>? environment = null, params string[] extraArguments) =>
        Start(environment, inSessionOfItsOwn: false, extraArguments);

    /// <summary>
    /// The AppHost leading a process group of its own, as a shell starts it in a terminal, so a test can send the
    /// group what Ctrl+C sends.
    /// </summary>
    public static AppHostProcess StartAsInTerminal() => Start(null, inSessionOfItsOwn: true, []);

    private static AppHostProcess Start(IReadOnlyDictionary<string, string?>? environment, bool inSessionOfItsOwn, string[] extraArguments)
    {
        var dashboardPort = FreePort.Next();
        var dataDirectory = Directory.CreateTempSubdirectory("botsystem-apphost-");
        string[] arguments =
        [
            $"--Dashboard:Port={dashboardPort}", "--Ports:redis=0", "--Ports:api-gateway=0", "--Ports:webhook-manager=0",
            "--Ports:mock-webhook=0", "--Ports:prometheus=0", "--Ports:alertmanager=0", $"--DataDirectory={dataDirectory.FullName}", .. extraArguments,
        ];
        var process = inSessionOfItsOwn
            ? ServiceProcess.Start("setsid", ["dotnet", RepositoryPaths.ServiceAssembly("AppHost"), .. arguments], environment ?? new Dictionary<string, string?>(),
                Path.GetDirectoryName(RepositoryPaths.ServiceAssembly("AppHost")))
            : ServiceProcess.StartService("AppHost", environment ?? new Dictionary<string, string?>(), arguments);
        return new AppHostProcess(process, dashboardPort, dataDirectory);
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
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // The dashboard is not up yet, or slow to answer on a busy machine.
            }
            await Task.Delay(250);
        }
        throw new TimeoutException($"Resources never matched; last {last?.ToJsonString()}\n{Process.Output}");
    }

    public static bool AllHealthy(JsonArray resources) =>
        resources.Count > 0 && resources.All(resource => resource!["health"]!.GetValue<string>() == "healthy");

    public static JsonNode Resource(JsonArray resources, string name) =>
        resources.SingleOrDefault(resource => resource!["name"]!.GetValue<string>() == name)
        ?? throw new InvalidOperationException($"The AppHost runs no resource {name}: {resources.ToJsonString()}");

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await Process.DisposeAsync();
        try
        {
            _dataDirectory.Delete(recursive: true);
        }
        catch (IOException)
        {
            // A file still being closed by an exiting resource; the temp directory is cleaned by the OS.
        }
    }
}
