using StackExchange.Redis;
using Xunit;

namespace BotSystem.Testing;

/// <summary>
/// A local Redis Cluster of three masters: real <c>redis-server --cluster-enabled yes</c> processes, each with its
/// cluster config in its own temporary directory, joined by <c>redis-cli --cluster create</c>.
/// </summary>
public sealed class RedisCluster : IAsyncLifetime
{
    private const int StartsPerNode = 3;
    private readonly List<RedisServer> _nodes = [];
    private ConnectionMultiplexer? _connection;

    /// <summary>The masters, in the order their slot ranges were assigned.</summary>
    public IReadOnlyList<RedisServer> Nodes => _nodes;

    /// <summary>Every node as <c>host:port</c>, comma separated, as StackExchange.Redis takes a cluster.</summary>
    public string ConnectionString => string.Join(',', _nodes.Select(node => node.ConnectionString));

    /// <summary>A shared cluster connection for assertions; engines under test should make their own.</summary>
    public ConnectionMultiplexer Connection => _connection ?? throw new InvalidOperationException("The cluster is not started.");

    public async Task InitializeAsync()
    {
        _nodes.AddRange(await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => StartNodeAsync())));
        var created = await CommandLine.RunAsync("redis-cli",
            ["--cluster", "create", .. _nodes.Select(node => node.ConnectionString), "--cluster-replicas", "0", "--cluster-yes"]);
        if (created.ExitCode != 0)
        {
            throw new InvalidOperationException($"redis-cli --cluster create failed:\n{created.Output}");
        }
        await WaitUntilEveryNodeReportsOkAsync(TimeSpan.FromSeconds(30));
        _connection = await ConnectionMultiplexer.ConnectAsync($"{ConnectionString},abortConnect=false");
    }

    public async Task DisposeAsync()
    {
        if (_connection is not null)
        {
            await _connection.DisposeAsync();
        }
        foreach (var node in _nodes)
        {
            await node.DisposeAsync();
        }
    }

    // A node needs its port and its cluster bus port, 10000 above it; a process elsewhere on the machine may take
    // either between the choice and the bind, and the node exits. Another pair of ports is tried then.
    private static async Task<RedisServer> StartNodeAsync()
    {
        for (var start = 1; ; start++)
        {
            var node = RedisServer.WithArguments("--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf");
            try
            {
                await node.StartAsync();
                return node;
            }
            catch (InvalidOperationException) when (start < StartsPerNode && !node.IsRunning)
            {
                await node.DisposeAsync();
            }
        }
    }

    private async Task WaitUntilEveryNodeReportsOkAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var infos = await Task.WhenAll(_nodes.Select(node => CommandLine.RunAsync("redis-cli", ["-p", node.Port.ToString(), "cluster", "info"])));
            if (infos.All(info => info.Output.Contains("cluster_state:ok")))
            {
                return;
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"The cluster did not reach cluster_state:ok within {timeout}:\n{string.Join('\n', infos.Select(info => info.Output))}");
            }
            await Task.Delay(100);
        }
    }
}
