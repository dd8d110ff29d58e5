using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace WebhookManager.Tests;

/// <summary>A MockWebhook process listening on every loopback address, so each test can reach it under its own host (its own endpoint).</summary>
public sealed class MockReceiver : IAsyncDisposable
{
    private readonly ServiceProcess _process;

    private MockReceiver(ServiceProcess process, int port)
    {
        _process = process;
        Port = port;
        Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
    }

    public int Port { get; }

    public HttpClient Http { get; }

    public string Output => _process.Output;

    public static async Task<MockReceiver> StartAsync(params (string Name, string Value)[] settings)
    {
        var port = FreePort.Next();
        var environment = new Dictionary<string, string?>
        {
            ["ASPNETCORE_URLS"] = $"http://0.0.0.0:{port}",
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["MockWebhook__Secret"] = TestSecrets.Receiver,
            ["MockWebhook__TimeoutSleep"] = "00:00:30",
        };
        foreach (var (name, value) in settings)
        {
            environment[name] = value;
        }
        var process = ServiceProcess.StartService("MockWebhook", environment);
        await process.WaitUntilHealthyAsync($"http://127.0.0.1:{port}/health");
        return new MockReceiver(process, port);
    }

    /// <summary>A URL of this receiver under <paramref name="host"/> (any 127.x.y.z, or localhost).</summary>
    public string Url(string host, string path = "/webhook") => $"http://{host}:{Port}{path}";

    public async Task ConfigureAsync(object settings)
    {
        using var response = await Http.PutAsJsonAsync("/config", settings);
        response.EnsureSuccessStatusCode();
    }

    public async Task ResetAsync()
    {
        using var response = await Http.DeleteAsync("/deliveries");
        response.EnsureSuccessStatusCode();
    }

    public async Task<JsonArray> DeliveriesAsync(string? webhookId = null)
    {
        var all = (await Http.GetFromJsonAsync<JsonArray>("/deliveries"))!;
        return webhookId is null ? all : [.. all.Where(d => (string?)d!["id"] == webhookId).Select(d => d!.DeepClone())];
    }

    public async Task<JsonObject> StatsAsync() => (await Http.GetFromJsonAsync<JsonObject>("/stats"))!;

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _process.DisposeAsync();
    }
}
