using System.Net;
using System.Text.Json.Nodes;
using BotSystem.Contracts;
using BotSystem.JobEngine;

namespace ApiGateway.Tests;

/// <summary>
/// Invocations waiting in the orchestrator for a permit of their bot type, taken by a bot that runs on. The bots are run
/// by the test's own runner, which holds the first one until the test lets it end.
/// </summary>
public sealed class PermitWaitTests : IAsyncLifetime
{
    private const string Webhook = "http://localhost:5000/webhook";

    private readonly OrchestrationQueues _queues = new();
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };
    private GatewayClient? _gateway;

    private ServiceSet Services => _queues.Services;

    private GatewayClient Gateway => _gateway!;

    public async Task InitializeAsync()
    {
        await _queues.StartAsync();
        _gateway = new GatewayClient(await Services.StartAsync("ApiGateway"), _http);
        await Services.StartAsync("Orchestrator", ("MAX_PYTHON_BOTS", "1"));
    }

    [Fact]
    public async Task An_invocation_cancelled_while_it_waits_for_a_permit_stops_waiting_at_once()
    {
        // Only the first invocation's bot ever runs here.
        var releaseFirst = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var runner = new Worker(_queues.Bots.Name, _queues.Redis.Connection, async (_, ct) =>
        {
            await releaseFirst.Task.WaitAsync(ct);
            return new BotRunResult { Result = new JsonObject { ["ok"] = true }, DurationMs = 1 };
        }, new WorkerOptions { Concurrency = 2 });
        try
        {
            var first = await Gateway.InvokeOkAsync(new { botType = "python", payload = new { rows = 3 }, webhookUrl = Webhook });
            await FlowSystem.EventuallyAsync(async () => await _queues.Bots.GetJobStateAsync(first) == JobState.Active, "the first bot never started");
            var waiting = await Gateway.InvokeOkAsync(new { botType = "python", payload = new { rows = 3 }, webhookUrl = Webhook });
            await FlowSystem.EventuallyAsync(async () => await _queues.StatusOfAsync(waiting) == InvocationStatus.WaitingForSlot,
                "the second invocation never waited for the permit");

            using (var cancel = await CancelAsync(waiting))
            {
                Assert.True(cancel.StatusCode == HttpStatusCode.OK, await cancel.Content.ReadAsStringAsync());
            }

            // The first bot runs on, holding the only permit: the cancelled invocation neither waits for it nor takes it.
            var semaphore = new RedisSemaphore(_queues.Redis.Connection, BotTypes.Python, 1);
            await FlowSystem.EventuallyAsync(async () => (await semaphore.GetCountsAsync()).Waiters == 0,
                $"the cancelled invocation still waits for a permit\n{Services.ProcessOf("Orchestrator").Output}", TimeSpan.FromSeconds(10));
            await FlowSystem.EventuallyAsync(async () => await _queues.Invocations.GetJobStateAsync(waiting) == JobState.Completed,
                "the cancelled invocation's orchestration never ended", TimeSpan.FromSeconds(10));
            Assert.Equal(JobState.Active, await _queues.Bots.GetJobStateAsync(first));
            Assert.Equal(JobState.Unknown, await _queues.Bots.GetJobStateAsync(waiting));
            Assert.Equal(InvocationStatus.Cancelled, (string?)(await Gateway.GetJobAsync(waiting))!["status"]);

            releaseFirst.TrySetResult();
            Assert.Equal(InvocationStatus.Completed, (string?)(await Gateway.WaitForEndAsync(first))["status"]);
        }
        finally
        {
            releaseFirst.TrySetResult();
        }
    }

    private async Task<HttpResponseMessage> CancelAsync(string jobId)
    {
        using var request = new HttpRequestMessage(HttpMethod.Delete, $"{Services.UrlOf("ApiGateway")}/job/{jobId}");
        request.Headers.Add("X-Api-Key", GatewayClient.DevelopmentClientKey);
        return await _http.SendAsync(request);
    }

    public async Task DisposeAsync()
    {
        await _queues.DisposeAsync();
        _http.Dispose();
    }
}
