using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;

namespace BotSystem.Workers.Runners;

/// <summary>
/// The warm hosts of each bot type: at most the type's concurrency of them, each serving one job at a time. A job
/// takes an idle host of its bot, or starts one; at capacity, an idle host of another bot makes room. Retired hosts
/// are killed with their process group and their working directory removed.
/// </summary>
public sealed class WarmHostPool(IOptions<WorkersOptions> options, BotSpawner spawner, ILogger<WarmHostPool> logger) : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, TypeHosts> _types = new();

    public async Task<BotRunOutcome> RunAsync(string botType, BotLaunch launch, Func<JsonNode, Task> onProgress, Func<string, Task> onLog, CancellationToken cancellation)
    {
        var hosts = _types.GetOrAdd(botType, type => new TypeHosts(options.Value.ConcurrencyOf(type)));
        try
        {
            await hosts.Slots.WaitAsync(cancellation);
        }
        catch (OperationCanceledException)
        {
            return new BotRunOutcome(BotRunStatus.Cancelled, null, "cancelled", false, null, TimeSpan.Zero, 0, false, 0);
        }
        WarmHost? host = null;
        var keep = false;
        try
        {
            (host, var discarded) = hosts.Take(launch.Warm!.Key);
            foreach (var gone in discarded)
            {
                await gone.DisposeAsync();
            }
            if (host is null)
            {
                host = WarmHost.Start(launch, options.Value, spawner, logger);
                hosts.Add(host);
                logger.LogInformation("Started a warm {BotType} host (pid {Pid}) for {Key}", botType, host.ProcessId, host.Key);
            }
            var outcome = await host.RunAsync(launch.RequestJson, launch.Timeout, onProgress, onLog, cancellation);
            keep = !host.Retired;
            if (!keep)
            {
                logger.LogInformation("Retiring the warm {BotType} host (pid {Pid}) after a job that ended {Status}", botType, host.ProcessId, outcome.Status);
            }
            return outcome;
        }
        finally
        {
            if (host is not null && keep)
            {
                hosts.Release(host);
            }
            else if (host is not null)
            {
                // Retired, or its job was interrupted by an exception: either way it serves no more.
                hosts.Remove(host);
                await host.DisposeAsync();
            }
            hosts.Slots.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var host in _types.Values.SelectMany(hosts => hosts.RemoveAll()))
        {
            await host.DisposeAsync();
        }
    }

    /// <summary>The hosts of one type: all of them, and the idle ones.</summary>
    private sealed class TypeHosts(int capacity)
    {
        private readonly List<WarmHost> _all = [];
        private readonly List<WarmHost> _idle = [];

        public SemaphoreSlim Slots { get; } = new(capacity, capacity);

        /// <summary>
        /// A live idle host of the key, if any; and the hosts to dispose of: idle ones of the key that died while idle
        /// (something a job left running may end its host after the job), and, when a new host would exceed the
        /// capacity, an idle one evicted to make room.
        /// </summary>
        public (WarmHost? Host, List<WarmHost> Discarded) Take(string key)
        {
            var discarded = new List<WarmHost>();
            lock (_all)
            {
                int index;
                while ((index = _idle.FindLastIndex(host => host.Key == key)) >= 0)
                {
                    var host = _idle[index];
                    _idle.RemoveAt(index);
                    if (!host.HasExited)
                    {
                        return (host, discarded);
                    }
                    _all.Remove(host);
                    discarded.Add(host);
                }
                if (_all.Count >= capacity && _idle.Count > 0)
                {
                    discarded.Add(_idle[0]);
                    _all.Remove(_idle[0]);
                    _idle.RemoveAt(0);
                }
                return (null, discarded);
            }
        }

        public void Add(WarmHost host)
        {
            lock (_all)
            {
                _all.Add(host);
            }
        }

        public void Release(WarmHost host)
        {
            lock (_all)
            {
                _idle.Add(host);
            }
        }

        public void Remove(WarmHost host)
        {
            lock (_all)
            {
                _all.Remove(host);
            }
        }

        public List<WarmHost> RemoveAll()
        {
            lock (_all)
            {
                var hosts = _all.ToList();
                _all.Clear();
                _idle.Clear();
                return hosts;
            }
        }
    }
}
