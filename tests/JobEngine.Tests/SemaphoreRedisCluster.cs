using System.Diagnostics;
using StackExchange.Redis;

namespace BotSystem.JobEngine.Tests;

/// <summary>A local Redis Cluster of three masters (real redis-server processes) for the semaphore tests.</summary>
public sealed class SemaphoreRedisCluster : IAsyncLifetime
{
    private readonly RedisServer[] _nodes = Enumerable.Range(0, 3).Select(_ => RedisServer.WithArguments("--cluster-enabled", "yes")).ToArray();
    private ConnectionMultiplexer? _connection;

    public ConnectionMultiplexer Connection => _connection ?? throw new InvalidOperationException("The cluster is not started.");

    public async Task InitializeAsync()
    {
        await Task.WhenAll(_nodes.Select(node => node.InitializeAsync()));
        var (created, output) = await RedisCliAsync(["--cluster", "create", .. _nodes.Select(node => node.ConnectionString), "--cluster-replicas", "0", "--cluster-yes"]);
        if (!created)
        {
            throw new InvalidOperationException($"redis-cli --cluster create failed:\n{output}");
        }
        await Eventually.HoldsAsync(async () =>
            (await Task.WhenAll(_nodes.Select(node => RedisCliAsync(["-p", node.Port.ToString(), "cluster", "info"]))))
                .All(info => info.Output.Contains("cluster_state:ok")), TimeSpan.FromSeconds(30), "the cluster is ready");
        _connection = await ConnectionMultiplexer.ConnectAsync(string.Join(',', _nodes.Select(node => node.ConnectionString)));
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

    private static async Task<(bool Succeeded, string Output)> RedisCliAsync(IEnumerable<string> arguments)
    {
        var startInfo = new ProcessStartInfo(RedisServer.ExecutableOnPath("redis-cli")) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }
        using var process = Process.Start(startInfo)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode == 0, await output + await error);
    }
}
