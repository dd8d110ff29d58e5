using System.Diagnostics;
using System.Runtime;
using System.Text;

namespace GatewayBench;

/// <summary>Drives one endpoint with the same request, as fast as it answers or at a fixed rate.</summary>
public sealed class LoadGenerator(string url, string apiKey, string body) : IDisposable
{
    private readonly HttpClient _http = new(new SocketsHttpHandler { MaxConnectionsPerServer = 1024, PooledConnectionLifetime = Timeout.InfiniteTimeSpan });

    public sealed record Run(double RequestsPerSecond, double P50Ms, double P99Ms, int Failures);

    /// <summary>Closed loop: <paramref name="concurrency"/> callers each sending the next request when the last is answered.</summary>
    public async Task<Run> SaturateAsync(int concurrency, TimeSpan duration)
    {
        var latencies = new List<double>[concurrency];
        var failures = 0;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async caller =>
        {
            var mine = latencies[caller] = [];
            while (clock.Elapsed < duration)
            {
                var started = clock.Elapsed;
                if (!await SendAsync())
                {
                    Interlocked.Increment(ref failures);
                }
                mine.Add((clock.Elapsed - started).TotalMilliseconds);
            }
        }));
        var all = latencies.SelectMany(l => l).ToList();
        return Summarize(all, all.Count / clock.Elapsed.TotalSeconds, failures);
    }

    /// <summary>
    /// Open loop: requests leave on a fixed schedule whether or not earlier ones were answered (so a slow answer never
    /// slows the load), each timed from when it left; the rate reported is the one achieved.
    /// </summary>
    public async Task<Run> PaceAsync(double requestsPerSecond, TimeSpan duration)
    {
        var total = (int)(requestsPerSecond * duration.TotalSeconds);
        var latencies = new double[total];
        var failures = 0;
        var unanswered = total;
        var allAnswered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        // This process's own pauses would count as the endpoint's latency: a blocking collection of the whole heap held
        // every request in flight (the p99 of one run in three was 30-170 ms, the others 8-15 ms). The run starts on a
        // collected heap, keeps no request once answered, and full collections wait for its end where they can.
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        var latencyMode = GCSettings.LatencyMode;
        GCSettings.LatencyMode = GCLatencyMode.SustainedLowLatency;
        var clock = Stopwatch.StartNew();
        try
        {
            for (var i = 0; i < total; i++)
            {
                var wait = TimeSpan.FromSeconds(i / requestsPerSecond) - clock.Elapsed;
                if (wait > TimeSpan.FromMilliseconds(1))
                {
                    await Task.Delay(wait);
                }
                var index = i;
                _ = Task.Run(async () =>
                {
                    var sent = clock.Elapsed;
                    if (!await SendAsync())
                    {
                        Interlocked.Increment(ref failures);
                    }
                    latencies[index] = (clock.Elapsed - sent).TotalMilliseconds;
                    if (Interlocked.Decrement(ref unanswered) == 0)
                    {
                        allAnswered.SetResult();
                    }
                });
            }
            var sendingTook = clock.Elapsed;
            await allAnswered.Task;
            return Summarize([.. latencies], total / sendingTook.TotalSeconds, failures);
        }
        finally
        {
            GCSettings.LatencyMode = latencyMode;
        }
    }

    private async Task<bool> SendAsync()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add("X-Api-Key", apiKey);
        try
        {
            using var response = await _http.SendAsync(request);
            return response.IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    private static Run Summarize(List<double> latencies, double rate, int failures)
    {
        latencies.Sort();
        double Percentile(double p) => latencies.Count == 0 ? 0 : latencies[Math.Min(latencies.Count - 1, (int)(p * latencies.Count))];
        return new Run(rate, Percentile(0.50), Percentile(0.99), failures);
    }

    public void Dispose() => _http.Dispose();
}
