namespace BotSystem.Testing;

/// <summary>
/// BotSystem services started as real processes against one Redis, each on a free port in its
/// development configuration, each waited for until its <c>/health</c> answers.
/// </summary>
public sealed class ServiceSet(RedisServer redis) : IAsyncDisposable
{
    private readonly Dictionary<string, (ServiceProcess Process, string Url)> _services = [];

    public string UrlOf(string instance) => _services[instance].Url;

    public ServiceProcess ProcessOf(string instance) => _services[instance].Process;

    /// <summary>Starts <paramref name="project"/> as the instance of the same name and returns its base URL.</summary>
    public Task<string> StartAsync(string project, params (string Name, string Value)[] environment) =>
        StartInstanceAsync(project, project, environment);

    /// <summary>Starts another process of <paramref name="project"/>, known by <paramref name="instance"/>, and returns its base URL.</summary>
    public async Task<string> StartInstanceAsync(string instance, string project, params (string Name, string Value)[] environment)
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
        _services.Add(instance, (process, url));
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
