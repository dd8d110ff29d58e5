using System.Text.RegularExpressions;

namespace BotSystem.Testing;

/// <summary>
/// BotSystem services started as real processes against one Redis, each on a free port in its
/// development configuration, named as the AppHost names it (<c>OTEL_SERVICE_NAME</c>), each waited
/// for until its <c>/health</c> answers.
/// </summary>
public sealed partial class ServiceSet(RedisServer redis) : IAsyncDisposable
{
    private readonly Dictionary<string, (ServiceProcess Process, string Url)> _services = [];

    public string UrlOf(string instance) => _services[instance].Url;

    /// <summary>Every started service by its resource name (<c>api-gateway</c>, <c>orchestrator-2</c>, ...) with its base URL.</summary>
    public IReadOnlyDictionary<string, string> UrlsByResource =>
        _services.ToDictionary(service => ResourceName(service.Key), service => service.Value.Url);

    /// <summary>The AppHost's kebab-case resource name of a project: <c>ApiGateway</c> is <c>api-gateway</c>.</summary>
    private static string ResourceName(string project) => WordStart().Replace(project, "-$1").ToLowerInvariant();

    public ServiceProcess ProcessOf(string instance) => _services[instance].Process;

    /// <summary>Starts <paramref name="project"/> as the instance of the same name and returns its base URL.</summary>
    public Task<string> StartAsync(string project, params (string Name, string Value)[] environment) =>
        StartInstanceAsync(project, project, environment);

    /// <summary>Starts another process of <paramref name="project"/>, known by <paramref name="instance"/>, and returns its base URL.</summary>
    public async Task<string> StartInstanceAsync(string instance, string project, params (string Name, string Value)[] environment)
    {
        // Refused before its process starts, which nothing would stop.
        if (_services.ContainsKey(instance))
        {
            throw new ArgumentException($"An instance named '{instance}' is started already.", nameof(instance));
        }
        var url = $"http://127.0.0.1:{FreePort.Next()}";
        var variables = new Dictionary<string, string?>
        {
            ["ASPNETCORE_URLS"] = url,
            ["ASPNETCORE_ENVIRONMENT"] = "Development",
            ["ConnectionStrings__redis"] = redis.ConnectionString,
            ["OTEL_SERVICE_NAME"] = ResourceName(project),
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

    [GeneratedRegex("(?<=[a-z])([A-Z])")]
    private static partial Regex WordStart();
}
