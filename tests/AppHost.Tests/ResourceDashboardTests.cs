using System.Net.Http.Json;
using System.Text.Json;
using BotSystem.AppHost.Dashboard;
using BotSystem.AppHost.Resources;
using BotSystem.Testing;

namespace AppHost.Tests;

public sealed class ResourceDashboardTests
{
    [Fact]
    public async Task A_resource_stopped_in_the_stop_sequence_is_no_longer_shown_healthy()
    {
        var port = FreePort.Next();
        var redis = new Resource("redis", Executable.Find("redis-server"),
            ["--port", port.ToString(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], port, ResourceKind.Redis, ConsoleColor.Red,
            Path.GetTempPath());
        var dashboardPort = FreePort.Next();
        await using var dashboard = await ResourceDashboard.StartAsync(dashboardPort, [redis]);
        using var http = new HttpClient { BaseAddress = new Uri($"http://localhost:{dashboardPort}/") };
        using var stopping = new CancellationTokenSource();
        var supervising = redis.SuperviseAsync(stopping.Token);
        await Eventually.HoldsAsync(async () => (await ShownAsync(http)).GetProperty("health").GetString() == "healthy",
            TimeSpan.FromSeconds(30), "redis was never shown healthy");

        // As the AppHost stops: supervision ends, then each resource is stopped while the dashboard still serves.
        await stopping.CancelAsync();
        await redis.StopAsync(TimeSpan.FromSeconds(10));
        await supervising;

        var shown = await ShownAsync(http);
        Assert.Equal("Exited", shown.GetProperty("state").GetString());
        Assert.NotEqual("healthy", shown.GetProperty("health").GetString());
    }

    private static async Task<JsonElement> ShownAsync(HttpClient http) =>
        Assert.Single((await http.GetFromJsonAsync<JsonElement[]>("api/resources"))!);
}
