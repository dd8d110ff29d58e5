using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Sockets;

namespace BotSystem.AppHost.Resources;

/// <summary>
/// One supervised process: started once its dependencies are healthy, its output prefixed and kept,
/// restarted with exponential backoff when it crashes, stopped with SIGTERM then a kill.
/// </summary>
public sealed class Resource
{
    private const int KeptLogLines = 1000;
    private static readonly TimeSpan FirstRestartDelay = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MaxRestartDelay = TimeSpan.FromSeconds(30);
    private static readonly HttpClient HealthClient = new() { Timeout = TimeSpan.FromSeconds(2) };
    private static readonly string? SessionLauncher = AppHostConfiguration.FindOnPath("setsid");

    private readonly ConcurrentQueue<string> _logs = new();
    private readonly ConsoleColor _color;
    private readonly List<Resource> _dependencies = [];
    // A null value keeps a variable of the AppHost's own environment from the process.
    private readonly Dictionary<string, string?> _environment = [];
    private Process? _process;
    private DateTimeOffset? _startedAt;
    private volatile bool _stopping;

    public Resource(string name, string fileName, IEnumerable<string> arguments, int port, ResourceKind kind, ConsoleColor color, string? workingDirectory = null)
    {
        Name = name;
        FileName = fileName;
        Arguments = [.. arguments];
        Port = port;
        Kind = kind;
        _color = color;
        WorkingDirectory = workingDirectory;
    }

    public string Name { get; }
    public string FileName { get; }
    public IReadOnlyList<string> Arguments { get; }
    public string? WorkingDirectory { get; }
    public int Port { get; }
    public ResourceKind Kind { get; }
    public ResourceState State { get; private set; } = ResourceState.Waiting;
    public string Health { get; private set; } = "unknown";
    public int? Pid => _process is { HasExited: false } process ? process.Id : null;
    public int Restarts { get; private set; }
    public TimeSpan? Uptime => State == ResourceState.Running && _startedAt is { } started ? DateTimeOffset.UtcNow - started : null;
    public string Url => Kind == ResourceKind.Redis ? $"redis://localhost:{Port}" : $"http://localhost:{Port}";
    public IReadOnlyList<Resource> Dependencies => _dependencies;
    public IReadOnlyCollection<string> RecentLogs => _logs;

    public Resource WithEnvironment(string name, string value)
    {
        _environment[name] = value;
        return this;
    }

    public Resource WithoutEnvironment(string name)
    {
        _environment[name] = null;
        return this;
    }

    public Resource WaitFor(Resource dependency)
    {
        _dependencies.Add(dependency);
        return this;
    }

    /// <summary>Starts once every dependency is healthy, then keeps the process alive until <paramref name="stopping"/>.</summary>
    public async Task SuperviseAsync(CancellationToken stopping)
    {
        foreach (var dependency in _dependencies)
        {
            while (!stopping.IsCancellationRequested && !await dependency.IsHealthyAsync())
            {
                await Task.Delay(200, stopping).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
        var restartDelay = FirstRestartDelay;
        while (!stopping.IsCancellationRequested)
        {
            State = Restarts == 0 ? ResourceState.Starting : ResourceState.Restarting;
            var process = Start();
            var healthWatch = WatchHealthAsync(process, stopping);
            await process.WaitForExitAsync(CancellationToken.None);
            await healthWatch;
            if (_stopping || stopping.IsCancellationRequested)
            {
                Exited();
                return;
            }
            var ranLong = _startedAt is { } started && DateTimeOffset.UtcNow - started > MaxRestartDelay;
            restartDelay = ranLong ? FirstRestartDelay : restartDelay;
            Log($"exited with code {process.ExitCode}; restarting in {restartDelay.TotalSeconds:0} s");
            State = ResourceState.Failed;
            Health = "unhealthy";
            await Task.Delay(restartDelay, stopping).ContinueWith(_ => { }, TaskScheduler.Default);
            restartDelay = TimeSpan.FromTicks(Math.Min(restartDelay.Ticks * 2, MaxRestartDelay.Ticks));
            Restarts++;
        }
    }

    public async Task StopAsync(TimeSpan deadline)
    {
        _stopping = true;
        if (_process is not { HasExited: false } process)
        {
            return;
        }
        State = ResourceState.Stopping;
        Signals.Terminate(process.Id);
        using var timeout = new CancellationTokenSource(deadline);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            Log($"did not stop within {deadline.TotalSeconds:0} s; killing it");
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
        }
        Exited();
    }

    public async Task<bool> IsHealthyAsync()
    {
        if (_process is not { HasExited: false })
        {
            return false;
        }
        try
        {
            if (Kind == ResourceKind.Redis)
            {
                using var client = new TcpClient();
                await client.ConnectAsync("127.0.0.1", Port);
                await client.GetStream().WriteAsync("PING\r\n"u8.ToArray());
                var reply = new byte[7];
                return await client.GetStream().ReadAsync(reply) > 0 && reply[0] == (byte)'+';
            }
            using var response = await HealthClient.GetAsync(Kind is ResourceKind.Prometheus or ResourceKind.Alertmanager ? $"{Url}/-/ready" : $"{Url}/health");
            return response.IsSuccessStatusCode;
        }
        catch (Exception ex) when (ex is HttpRequestException or SocketException or TaskCanceledException or IOException)
        {
            return false;
        }
    }

    private Process Start()
    {
        // In a session of its own a resource gets no signal from the terminal: on Ctrl+C the AppHost alone stops
        // them, the services before the Redis they unregister from.
        var startInfo = new ProcessStartInfo(SessionLauncher ?? FileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = WorkingDirectory ?? Environment.CurrentDirectory,
        };
        if (SessionLauncher is not null)
        {
            startInfo.ArgumentList.Add(FileName);
        }
        foreach (var argument in Arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }
        foreach (var (name, value) in _environment)
        {
            if (value is null)
            {
                startInfo.Environment.Remove(name);
            }
            else
            {
                startInfo.Environment[name] = value;
            }
        }
        var process = new Process { StartInfo = startInfo };
        process.OutputDataReceived += (_, e) => Log(e.Data);
        process.ErrorDataReceived += (_, e) => Log(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
        _startedAt = DateTimeOffset.UtcNow;
        return process;
    }

    // Its health is no longer watched once it is stopped, and what was last seen of a running process no longer holds.
    private void Exited()
    {
        State = ResourceState.Exited;
        Health = "unhealthy";
    }

    private async Task WatchHealthAsync(Process process, CancellationToken stopping)
    {
        while (!process.HasExited && !stopping.IsCancellationRequested)
        {
            var healthy = await IsHealthyAsync();
            Health = healthy ? "healthy" : "unhealthy";
            if (healthy && State is ResourceState.Starting or ResourceState.Restarting)
            {
                State = ResourceState.Running;
            }
            await Task.WhenAny(process.WaitForExitAsync(stopping), Task.Delay(1000, stopping));
        }
    }

    private void Log(string? line)
    {
        if (line is null)
        {
            return;
        }
        _logs.Enqueue(line);
        while (_logs.Count > KeptLogLines && _logs.TryDequeue(out _))
        {
        }
        ConsoleLog.Write(Name, _color, line);
    }
}

public enum ResourceKind { Redis, Project, Prometheus, Alertmanager }
