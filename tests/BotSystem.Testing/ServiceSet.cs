namespace BotSystem.Testing;

/// <summary>
/// BotSystem services started as real processes against one Redis, each on a free port in its
/// development configuration, each waited for until its <c>/health</c> answers.
/// </summary>
public sealed class ServiceSet(RedisServer redis) : IAsyncDisposable
{
    private readonly Dictionary<string, (ServiceProcess Process, string Url)> _services = [];

    public string UrlOf(string project) => _services[project].Url;

    public ServiceProcess ProcessOf(string project) => _services[project].Process;

    /// <summary>Starts <paramref name="project"/> and returns its base URL.</summary>
    public async Task<string> StartAsync(string project, params (string Name, string Value)[] environment)
    {
        var url = $"http://127.0.0.1:{FreePort.Next()}";
        var variables = new Dictionary<string, string?>
        {
            ["ASPNETCORE_URLS"] = url,
            ["ASPNETCORE_ENVIRONMENT"] = "Development",
            ["ConnectionStrings__redis"] = redis.ConnectionString,
        };
        foreach (var (name, value) in environment)
        {
            variables[name] = value;
        }
        var process = ServiceProcess.StartService(project, variables);
        _services[project] = (process, url);
        await process.WaitUntilHealthyAsync($"{url}/health");
        return url;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var (process, _) in _services.Values.Reverse())
        {
            await process.DisposeAsync();
        }
    }
}
