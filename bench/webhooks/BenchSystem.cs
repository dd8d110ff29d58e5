using System.Diagnostics;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using BotSystem.Contracts;
using BotSystem.JobEngine;
using BotSystem.Testing;

namespace WebhooksBench;

/// <summary>Redis, a MockWebhook and a WebhookManager as real processes, and the two ways of delivering to the receiver.</summary>
public sealed class BenchSystem : IAsyncDisposable
{
    private const string Secret = "whsec_YmVuY2gtd2ViaG9vay1zZWNyZXQtMDEyMzQ1Njc4OWFi";
    private const int PeerConcurrency = 64;
    private const int ManagerConcurrency = 256;
    private const string FloorQueueName = "webhooks-floor";
    private const int KeepFinishedJobs = 10_000;

    private readonly RedisServer _redis;
    private readonly ServiceProcess _receiver;
    private readonly ServiceProcess _manager;
    private readonly int _receiverPort;
    private readonly HttpClient _control;
    private readonly Queue _queue;
    // The floor: our job engine's worker in this process, posting each job's payload with a bare HttpClient, as many
    // at a time as the manager's worker takes. What a durable queue costs a delivery on its own, without the manager's
    // delivery records, endpoint pipelines and metrics.
    private readonly Queue _floorQueue;
    private readonly HttpClient _floorHttp = new(new SocketsHttpHandler { MaxConnectionsPerServer = PeerConcurrency });
    private readonly Worker _floorWorker;
    // Dead endpoints accept and never answer, so each request holds its place for the whole attempt timeout: the
    // harder case for the manager, next to a refused connection, which fails at once.
    private readonly HangingEndpoint _dead = new();
    private int _phase;

    private BenchSystem(RedisServer redis, ServiceProcess receiver, int receiverPort, ServiceProcess manager)
    {
        _redis = redis;
        _receiver = receiver;
        _receiverPort = receiverPort;
        _manager = manager;
        _control = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{receiverPort}") };
        _queue = new Queue(QueueNames.Webhooks, redis.Connection);
        _floorQueue = new Queue(FloorQueueName, redis.Connection);
        _floorWorker = new Worker(FloorQueueName, redis.Connection, async (active, ct) =>
        {
            var data = active.ReadData<WebhookDeliveryJobData>(JsonSerializerOptions.Web);
            await PostSignedAsync(_floorHttp, data.Url, data.MessageId, data.Body, ct);
            return null;
        }, new WorkerOptions { Concurrency = ManagerConcurrency, Name = "bench-floor" });
    }

    /// <summary>A loopback address of its own for host <paramref name="host"/> of round <paramref name="round"/>; round 0 is the warm-up.</summary>
    public static string Host(int round, int host) => $"127.0.{round}.{host}";

    public static async Task<BenchSystem> StartAsync(int rounds)
    {
        // Redis keeps its append-only file but does not rewrite it in the background. The run starts from an empty
        // dataset and writes a delivery's records with every delivery, so the file doubles, and is rewritten by a
        // child process that takes a core from the sides, every few seconds; a running system holding days of records
        // rewrites once per dataset's worth of writes.
        var redis = RedisServer.WithArguments("--auto-aof-rewrite-percentage", "0");
        await redis.InitializeAsync();
        var receiverPort = FreePort.Next();
        var receiver = ServiceProcess.StartService("MockWebhook", new Dictionary<string, string?>
        {
            ["ASPNETCORE_URLS"] = $"http://0.0.0.0:{receiverPort}",
            ["MockWebhook__Secret"] = Secret,
            ["Logging__LogLevel__Default"] = "Warning",
        });
        var managerPort = FreePort.Next();
        var settings = new Dictionary<string, string?>
        {
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{managerPort}",
            ["ConnectionStrings__redis"] = redis.ConnectionString,
            ["Logging__LogLevel__Default"] = "Warning",
            ["Webhooks__Concurrency"] = ManagerConcurrency.ToString(),
            ["Webhooks__Endpoint__RateLimitPerSecond"] = "100000",
            ["Webhooks__Endpoint__MaxConcurrentRequests"] = PeerConcurrency.ToString(),
            ["Clients__bench__WebhookSecrets__0"] = Secret,
        };
        var allowed = 0;
        for (var round = 0; round <= rounds; round++)
        {
            for (var host = 1; host < 100; host++)
            {
                settings[$"Clients__bench__AllowedWebhookHosts__{allowed++}"] = Host(round, host);
            }
        }
        var manager = ServiceProcess.StartService("WebhookManager", settings);
        await receiver.WaitUntilHealthyAsync($"http://127.0.0.1:{receiverPort}/health");
        await manager.WaitUntilHealthyAsync($"http://127.0.0.1:{managerPort}/health");
        return new BenchSystem(redis, receiver, receiverPort, manager);
    }

    /// <summary>Deliveries per second of a bare HttpClient loop posting signed payloads, <see cref="PeerConcurrency"/> at a time.</summary>
    public async Task<Measurement> PeerAsync(int count, string host)
    {
        await ResetAsync();
        var phase = ++_phase;
        var cpu = CpuSnapshot.Take(Process.GetCurrentProcess(), _receiver, _redis);
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = PeerConcurrency });
        var url = $"http://{host}:{_receiverPort}/webhook";
        var stopwatch = Stopwatch.StartNew();
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = PeerConcurrency }, async (i, ct) =>
        {
            var id = $"msg_peer{phase}_{i}";
            await PostSignedAsync(http, url, id, Body(id), ct);
        });
        return cpu.Measure(count, stopwatch.Elapsed);
    }

    /// <summary>Deliveries per second of the floor worker to <paramref name="host"/>, counted at the receiver; its sender CPU includes adding the jobs.</summary>
    public async Task<Measurement> QueueFloorAsync(int count, string host)
    {
        await ResetAsync();
        var phase = ++_phase;
        var cpu = CpuSnapshot.Take(Process.GetCurrentProcess(), _receiver, _redis);
        var stopwatch = Stopwatch.StartNew();
        await AddAsync(_floorQueue, count, _ => $"http://{host}:{_receiverPort}/webhook", $"f{phase}");
        await WaitForReceiverAsync(count, stopwatch, "the floor worker", "");
        return cpu.Measure(count, stopwatch.Elapsed);
    }

    private static async Task PostSignedAsync(HttpClient http, string url, string id, string body, CancellationToken ct)
    {
        var now = DateTimeOffset.UtcNow;
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add(StandardWebhooks.IdHeader, id);
        request.Headers.Add(StandardWebhooks.TimestampHeader, now.ToUnixTimeSeconds().ToString());
        request.Headers.Add(StandardWebhooks.SignatureHeader, StandardWebhooks.Sign(id, now, body, Secret));
        using var response = await http.SendAsync(request, ct);
        response.EnsureSuccessStatusCode();
    }

    /// <summary>
    /// Deliveries per second through the WebhookManager to the healthy hosts, counted at the receiver. With dead
    /// hosts, as many deliveries to them are queued in between, so they compete for the manager's workers.
    /// </summary>
    public async Task<Measurement> ManagerAsync(int count, IReadOnlyList<string> healthyHosts, IReadOnlyList<string> deadHosts)
    {
        await ResetAsync();
        var phase = ++_phase;
        var cpu = CpuSnapshot.Take(Process.GetProcessById(_manager.Pid), _receiver, _redis);
        var stopwatch = Stopwatch.StartNew();
        var total = deadHosts.Count > 0 ? count * 2 : count;
        await AddAsync(_queue, total, i => deadHosts.Count > 0 && i % 2 == 1
            ? $"http://{deadHosts[i / 2 % deadHosts.Count]}:{_dead.Port}/webhook"
            : $"http://{healthyHosts[i / (deadHosts.Count > 0 ? 2 : 1) % healthyHosts.Count]}:{_receiverPort}/webhook", $"d{phase}");
        await WaitForReceiverAsync(count, stopwatch, "the manager", _manager.Output);
        return cpu.Measure(count, stopwatch.Elapsed);
    }

    private async Task WaitForReceiverAsync(int count, Stopwatch stopwatch, string sender, string senderOutput)
    {
        JsonObject stats;
        while ((long)(stats = (await _control.GetFromJsonAsync<JsonObject>("/stats"))!)["uniqueIds"]! < count)
        {
            if (stopwatch.Elapsed > TimeSpan.FromMinutes(3))
            {
                throw new TimeoutException($"Not delivered in time by {sender}.\n" + senderOutput);
            }
            await Task.Delay(10);
        }
        // Held to what the peer's EnsureSuccessStatusCode demands: every request the receiver counted was signed right.
        if ((long)stats["badSignatures"]! > 0)
        {
            throw new InvalidOperationException($"The receiver refused {stats["badSignatures"]} of {sender}'s signatures.");
        }
    }

    /// <summary>Deliveries per second, and the CPU time per delivery of the sender, the receiver and Redis.</summary>
    public sealed record Measurement(double PerSecond, TimeSpan SenderCpu, TimeSpan ReceiverCpu, TimeSpan RedisCpu);

    private sealed record CpuSnapshot(Process Sender, TimeSpan SenderCpu, ServiceProcess Receiver, TimeSpan ReceiverCpu, RedisServer Redis, TimeSpan RedisCpu)
    {
        public static CpuSnapshot Take(Process sender, ServiceProcess receiver, RedisServer redis)
        {
            sender.Refresh();
            return new(sender, sender.TotalProcessorTime, receiver, receiver.CpuTime, redis, redis.CpuTime);
        }

        public Measurement Measure(int count, TimeSpan elapsed)
        {
            var now = Take(Sender, Receiver, Redis);
            return new(count / elapsed.TotalSeconds, (now.SenderCpu - SenderCpu) / count, (now.ReceiverCpu - ReceiverCpu) / count, (now.RedisCpu - RedisCpu) / count);
        }
    }

    /// <summary>Removes what is left of a measurement (deliveries to dead endpoints waiting for their next attempt), so it does not weigh on the next.</summary>
    public Task DrainAsync() => _queue.DrainAsync(includeDelayed: true);

    public async ValueTask DisposeAsync()
    {
        _control.Dispose();
        await _floorWorker.DisposeAsync();
        _floorHttp.Dispose();
        await _floorQueue.DisposeAsync();
        await _queue.DisposeAsync();
        await _manager.DisposeAsync();
        await _receiver.DisposeAsync();
        _dead.Dispose();
        await _redis.DisposeAsync();
    }

    private static async Task AddAsync(Queue queue, int count, Func<int, string> url, string prefix)
    {
        foreach (var chunk in Enumerable.Range(0, count).Chunk(500))
        {
            await queue.AddBulkAsync(chunk.Select(i =>
            {
                var invocationId = $"{prefix}-{i}";
                var data = new WebhookDeliveryJobData
                {
                    MessageId = WebhookDeliveryJobData.MessageIdFor(invocationId),
                    InvocationId = invocationId,
                    ClientId = "bench",
                    Url = url(i),
                    EventType = WebhookEvent.Completed,
                    Body = Body(invocationId),
                };
                // The options the orchestrator gives a delivery, with its default of finished jobs kept.
                return new BulkJob("deliver", data, new JobOptions
                {
                    JobId = WebhookDeliveryJobData.JobIdFor(invocationId),
                    RemoveOnComplete = KeepJobs.Last(KeepFinishedJobs),
                    RemoveOnFail = KeepJobs.Last(KeepFinishedJobs),
                });
            }));
        }
    }

    private async Task ResetAsync()
    {
        using var response = await _control.DeleteAsync("/deliveries");
        response.EnsureSuccessStatusCode();
    }

    private static string Body(string id) =>
        new JsonObject
        {
            ["type"] = WebhookEvent.Completed,
            ["timestamp"] = DateTimeOffset.UtcNow.ToString("O"),
            ["data"] = new JsonObject { ["jobId"] = id, ["status"] = "completed", ["result"] = new JsonObject { ["rows"] = 1200, ["total"] = 98231.5 } },
        }.ToJsonString();
}
