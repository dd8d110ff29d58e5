using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using BotSystem.Testing;
using GatewayBench;
using StackExchange.Redis;

// Child mode: the bare endpoint as its own process, like the gateway.
if (args is ["bare", var listenUrl, var bareRedis])
{
    await BareEndpoint.RunAsync(listenUrl, bareRedis);
    return 0;
}

const string ApiKey = "bench-api-key";
var duration = TimeSpan.FromSeconds(double.Parse(Environment.GetEnvironmentVariable("BENCH_SECONDS") ?? "8", CultureInfo.InvariantCulture));
const int Concurrency = 64;
const int Rounds = 3;

// Redis keeps its append-only file but does not rewrite it in the background: with nothing consuming the jobs, each
// rewrite copies a backlog no running system holds, and on a small machine its child process takes a core from the
// two sides and the load tool (the paced p99 went from about 10 ms to 30-400 ms in the runs a rewrite fell into).
await using var redis = RedisServer.WithArguments("--auto-aof-rewrite-percentage", "0");
await redis.InitializeAsync();

var gatewayUrl = $"http://127.0.0.1:{FreePort.Next()}";
await using var gateway = ServiceProcess.StartService("ApiGateway", new Dictionary<string, string?>
{
    ["ASPNETCORE_URLS"] = gatewayUrl,
    ["ConnectionStrings__redis"] = redis.ConnectionString,
    ["Logging__LogLevel__Default"] = "Warning",
    ["Clients__bench__ApiKeyHash"] = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(ApiKey))),
    ["Clients__bench__AllowedWebhookHosts__0"] = "127.0.0.1",
    ["Gateway__RateLimitPerSecond"] = "1000000",
    ["Gateway__RateLimitBurst"] = "1000000",
});
var bareUrl = $"http://127.0.0.1:{FreePort.Next()}";
await using var bare = ServiceProcess.Start("dotnet", [typeof(BareEndpoint).Assembly.Location, "bare", bareUrl, redis.ConnectionString], new Dictionary<string, string?>());
await gateway.WaitUntilHealthyAsync($"{gatewayUrl}/health");
await bare.WaitUntilHealthyAsync($"{bareUrl}/health");

// Nothing consumes what the two sides add, as an orchestrator would: each measurement starts from an empty Redis, so
// none pays for the hundreds of thousands of jobs earlier ones left (a rewrite of the append-only file forks Redis).
await using var admin = await ConnectionMultiplexer.ConnectAsync($"{redis.ConnectionString},allowAdmin=true");
Task EmptyRedisAsync() => admin.GetServer(redis.ConnectionString).FlushAllDatabasesAsync();

var body = JsonSerializer.Serialize(new { botType = "python", payload = new { rows = 100, label = "bench" }, webhookUrl = "http://127.0.0.1:5000/webhook" });
using var ours = new LoadGenerator($"{gatewayUrl}/invoke", ApiKey, body);
using var baseline = new LoadGenerator($"{bareUrl}/invoke", ApiKey, body);

// Long enough for the JIT's tiering to reach the hot paths of both.
var warmUp = TimeSpan.FromSeconds(10);
Console.Error.WriteLine($"warming up for {warmUp.TotalSeconds} s each");
await ours.SaturateAsync(Concurrency, warmUp);
await baseline.SaturateAsync(Concurrency, warmUp);

// Alternate the two in several rounds so a change in the machine's load falls on both alike; keep each side's median.
Console.Error.WriteLine($"saturating each endpoint with {Concurrency} callers, {Rounds} rounds of {duration.TotalSeconds} s");
var oursRuns = new List<LoadGenerator.Run>();
var bareRuns = new List<LoadGenerator.Run>();
// CPU per request of each side's own process and of Redis, so the gap can be placed: the pipeline or the job engine.
var cpuPerRequest = (Ours: new List<double>(), Bare: new List<double>(), OursRedis: new List<double>(), BareRedis: new List<double>());
for (var round = 0; round < Rounds; round++)
{
    await EmptyRedisAsync();
    var (gatewayCpu, redisCpu) = (gateway.CpuTime, redis.CpuTime);
    oursRuns.Add(await ours.SaturateAsync(Concurrency, duration));
    var requests = oursRuns[^1].RequestsPerSecond * duration.TotalSeconds;
    cpuPerRequest.Ours.Add((gateway.CpuTime - gatewayCpu).TotalMicroseconds / requests);
    cpuPerRequest.OursRedis.Add((redis.CpuTime - redisCpu).TotalMicroseconds / requests);

    await EmptyRedisAsync();
    var bareCpu = bare.CpuTime;
    redisCpu = redis.CpuTime;
    bareRuns.Add(await baseline.SaturateAsync(Concurrency, duration));
    requests = bareRuns[^1].RequestsPerSecond * duration.TotalSeconds;
    cpuPerRequest.Bare.Add((bare.CpuTime - bareCpu).TotalMicroseconds / requests);
    cpuPerRequest.BareRedis.Add((redis.CpuTime - redisCpu).TotalMicroseconds / requests);
    Console.Error.WriteLine($"round {round + 1}: ours {oursRuns[^1]}, bare {bareRuns[^1]}");
}
var oursMax = Median(oursRuns, run => run.RequestsPerSecond);
var bareMax = Median(bareRuns, run => run.RequestsPerSecond);

// Latency at half our rate, in as many runs as the rounds, so one hiccup of the machine (a fork of Redis for its
// append-only file, a pause) decides one run's p99, not the result; each run's p99 is reported too.
var halfRate = oursMax.RequestsPerSecond / 2;
var pacedRuns = new List<LoadGenerator.Run>();
for (var round = 0; round < Rounds; round++)
{
    await EmptyRedisAsync();
    pacedRuns.Add(await ours.PaceAsync(halfRate, duration));
    Console.Error.WriteLine($"paced at {halfRate:F0}/s: {pacedRuns[^1]}");
}
var paced = Median(pacedRuns, run => run.P99Ms);

if (oursRuns.Sum(run => run.Failures) + bareRuns.Sum(run => run.Failures) + pacedRuns.Sum(run => run.Failures) > 0)
{
    Console.Error.WriteLine("some requests failed; the numbers above are not comparable");
    return 1;
}
Console.WriteLine(JsonSerializer.Serialize(new
{
    bench = "gateway",
    ours_rps = Math.Round(oursMax.RequestsPerSecond),
    bare_rps = Math.Round(bareMax.RequestsPerSecond),
    ratio = Math.Round(oursMax.RequestsPerSecond / bareMax.RequestsPerSecond, 3),
    p99_ms = Math.Round(paced.P99Ms, 2),
    p50_ms = Math.Round(paced.P50Ms, 2),
    saturated_p50_ms = Math.Round(oursMax.P50Ms, 2),
    saturated_p99_ms = Math.Round(oursMax.P99Ms, 2),
    paced_rps = Math.Round(halfRate),
    p99_ms_runs = pacedRuns.Select(run => Math.Round(run.P99Ms, 2)),
    ours_cpu_us_per_request = MedianOf(cpuPerRequest.Ours),
    bare_cpu_us_per_request = MedianOf(cpuPerRequest.Bare),
    ours_redis_cpu_us_per_request = MedianOf(cpuPerRequest.OursRedis),
    bare_redis_cpu_us_per_request = MedianOf(cpuPerRequest.BareRedis),
}));
return 0;

static T Median<T>(IReadOnlyList<T> items, Func<T, double> by) => items.OrderBy(by).ElementAt(items.Count / 2);

static double MedianOf(List<double> values) => Math.Round(Median(values, value => value), 1);
