using System.Net.Sockets;
using StackExchange.Redis;
using Xunit;

namespace BotSystem.Testing;

/// <summary>
/// A real <c>redis-server</c> on a free loopback port, with its data in a temporary directory
/// that is removed on dispose. Use it as an xunit class or collection fixture.
/// </summary>
public sealed class RedisServer : IAsyncLifetime
{
    private readonly string[] _extraArguments;
    private ServiceProcess? _process;
    private ConnectionMultiplexer? _connection;

    public RedisServer() : this([]) { }

    private RedisServer(string[] extraArguments)
    {
        _extraArguments = extraArguments;
        Port = FreePort.Next();
        DataDirectory = Directory.CreateTempSubdirectory("botsystem-redis-").FullName;
    }

    /// <summary>A server started with extra <c>redis-server</c> arguments (e.g. cluster mode); call <see cref="InitializeAsync"/>.</summary>
    public static RedisServer WithArguments(params string[] extraArguments) => new(extraArguments);

    public int Port { get; }

    public string DataDirectory { get; }

    /// <summary>The <c>host:port</c> form used by <c>ConnectionStrings__redis</c>.</summary>
    public string ConnectionString => $"127.0.0.1:{Port}";

    /// <summary>A shared connection for assertions; engines under test should make their own.</summary>
    public ConnectionMultiplexer Connection => _connection ?? throw new InvalidOperationException("The server is not initialized.");

    public bool IsRunning => _process is { HasExited: false };

    /// <summary>The CPU time the server's own process has used (not its AOF rewrites, which run in child processes).</summary>
    public TimeSpan CpuTime => (_process ?? throw new InvalidOperationException("The server is not started.")).CpuTime;

    /// <summary>
    /// Starts the server and opens <see cref="Connection"/>, so that a test's timed steps never include a first connect.
    /// </summary>
    public async Task InitializeAsync()
    {
        await StartAsync();
        _connection = await ConnectionMultiplexer.ConnectAsync($"{ConnectionString},abortConnect=false");
    }

    /// <summary>Starts (or restarts) the server on the same port and data directory.</summary>
    public async Task StartAsync()
    {
        if (IsRunning)
        {
            return;
        }

        if (_process is not null)
        {
            await _process.DisposeAsync();
        }
        _process = ServiceProcess.Start(ExecutableOnPath("redis-server"),
            ["--port", Port.ToString(), "--bind", "127.0.0.1", "--dir", DataDirectory,
             "--save", "", "--appendonly", "yes", "--daemonize", "no", "--protected-mode", "no",
             .. _extraArguments],
            new Dictionary<string, string?>());
        await WaitUntilAcceptingAsync(TimeSpan.FromSeconds(10));
    }

    /// <summary>
    /// Kills the server abruptly, as a crash or an outage would, once every write it has answered is in its append-only
    /// file: with <c>appendfsync everysec</c> a write answered while the last fsync is still running is only written
    /// later, so a kill right after it would lose it, which is a loss of the disk's, not the outage the tests mean.
    /// </summary>
    public async Task StopAsync()
    {
        if (_process is { HasExited: false } process)
        {
            await FlushAppendOnlyFileAsync();
            process.Signal(Signals.SIGKILL);
            await process.WaitForExitAsync(Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>
    /// Stops the server answering for <paramref name="duration"/>, as a stalled host would: its connections stay open
    /// and every command waits, so clients see their calls time out rather than their connections drop.
    /// </summary>
    public async Task FreezeAsync(TimeSpan duration)
    {
        var process = _process ?? throw new InvalidOperationException("The server is not started.");
        process.Signal(Signals.SIGSTOP);
        try
        {
            await Task.Delay(duration);
        }
        finally
        {
            process.Signal(Signals.SIGCONT);
        }
    }

    public async Task DisposeAsync()
    {
        if (_connection is not null)
        {
            await _connection.DisposeAsync();
        }
        await StopAsync();
        if (_process is not null)
        {
            await _process.DisposeAsync();
        }
        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A file still being closed by the exiting server; the temp directory is cleaned by the OS.
        }
    }

    /// <summary>
    /// Switches the server to <c>appendfsync always</c>, under which the answer to that very command waits until the
    /// file holds everything written before it; a restart reads the setting from the command line again.
    /// </summary>
    private async Task FlushAppendOnlyFileAsync()
    {
        try
        {
            var reply = await SendAsync("*4\r\n$6\r\nCONFIG\r\n$3\r\nSET\r\n$11\r\nappendfsync\r\n$6\r\nalways\r\n"u8.ToArray());
            if (!reply.StartsWith('+'))
            {
                throw new InvalidOperationException($"redis-server on port {Port} refused to sync its append-only file: {reply}");
            }
        }
        catch (Exception e) when (e is SocketException or IOException or TimeoutException)
        {
            // Frozen or on its way out: it is killed as it is.
        }
    }

    private async Task WaitUntilAcceptingAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (_process!.HasExited)
            {
                // Until its output is read to the end.
                await _process.WaitForExitAsync(Timeout.InfiniteTimeSpan);
                throw new InvalidOperationException($"redis-server exited with code {_process.ExitCode} on port {Port}:\n{_process.Output}");
            }
            try
            {
                if ((await SendAsync("PING\r\n"u8.ToArray())).StartsWith('+'))
                {
                    return;
                }
            }
            catch (SocketException)
            {
                // Not listening yet.
            }
            catch (IOException)
            {
                // Taken and dropped: a server that is exiting (the next round says why).
            }
            await Task.Delay(50);
        }
        throw new TimeoutException($"redis-server did not accept connections on port {Port} within {timeout}.");
    }

    /// <summary>Sends one command on a connection of its own and returns the start of the answer ("" when the server closed it).</summary>
    private async Task<string> SendAsync(byte[] command)
    {
        using var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", Port);
        var stream = client.GetStream();
        await stream.WriteAsync(command);
        var buffer = new byte[64];
        var read = await stream.ReadAsync(buffer).AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        return System.Text.Encoding.ASCII.GetString(buffer, 0, read);
    }

    public static string ExecutableOnPath(string name)
    {
        foreach (var directory in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator))
        {
            var candidate = Path.Combine(directory, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
        throw new InvalidOperationException($"'{name}' is not on PATH. Install it: apt-get install -y redis-server (./test.sh does this).");
    }
}
