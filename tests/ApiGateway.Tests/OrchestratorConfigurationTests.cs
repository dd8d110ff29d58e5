namespace ApiGateway.Tests;

/// <summary>An orchestrator given a setting it cannot work with refuses to start, naming the setting.</summary>
public sealed class OrchestratorConfigurationTests : IAsyncLifetime
{
    private readonly RedisServer _redis = new();

    public Task InitializeAsync() => _redis.InitializeAsync();

    [Theory]
    [InlineData("Orchestrator__Concurrency", "0", "Concurrency")]
    [InlineData("MAX_JAVA_BOTS", "many", "MAX_JAVA_BOTS")]
    // A bot's outcome is read from its finished job: retention below a type's limit can remove it before it is read.
    [InlineData("Orchestrator__KeepFinishedJobs", "0", "KeepFinishedJobs")]
    [InlineData("Orchestrator__KeepFinishedJobs", "5", "KeepFinishedJobs")]
    public async Task A_bad_setting_stops_the_start_with_its_name(string name, string value, string named)
    {
        await using var process = ServiceProcess.StartService("Orchestrator", new Dictionary<string, string?>
        {
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{FreePort.Next()}",
            ["ASPNETCORE_ENVIRONMENT"] = "Development",
            ["ConnectionStrings__redis"] = _redis.ConnectionString,
            [name] = value,
        });

        Assert.True(await process.WaitForExitAsync(TimeSpan.FromSeconds(30)), "the orchestrator started with " + name + "=" + value);
        Assert.NotEqual(0, process.ExitCode);
        Assert.Contains(named, process.Output);
    }

    public async Task DisposeAsync() => await _redis.DisposeAsync();
}
