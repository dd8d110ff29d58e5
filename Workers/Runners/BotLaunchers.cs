using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.Json;
using BotSystem.Contracts;
using Microsoft.Extensions.Options;

namespace BotSystem.Workers.Runners;

/// <summary>
/// Knows how each language's bot is started: Python and Node scripts run directly; a Java bot is compiled once per
/// source content into a cache keyed by its hash and run with <c>java -cp</c>. A bot whose manifest asks for warm mode
/// gets its language's host instead, which loads the bot once and serves many jobs.
/// </summary>
public sealed class BotLaunchers(IOptions<WorkersOptions> options)
{
    private const string JavaHostClass = "BotHost";
    // The protocol is UTF-8 whatever the worker's locale: Java takes its default charset (file.encoding up to JDK 17) and
    // that of System.out and System.err (stdout/stderr.encoding from JDK 19) from the locale, ASCII where none is set.
    private static readonly string[] Utf8JavaStreams = ["-Dfile.encoding=UTF-8", "-Dstdout.encoding=UTF-8", "-Dstderr.encoding=UTF-8"];
    // One compile at a time per source content (they share a staging directory); different bots compile side by side.
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _compiling = new();
    private readonly string _javaCache = Path.Combine(Path.GetTempPath(), "botsystem-java-cache");
    private readonly ConcurrentDictionary<string, Lazy<Task<string>>> _interpreters = new();

    public async Task<BotLaunch> LaunchFor(BotJobData job, CancellationToken ct)
    {
        var settings = options.Value;
        var timeout = TimeSpan.FromSeconds(Math.Clamp(job.TimeoutSeconds <= 0 ? settings.MaxTimeoutSeconds : job.TimeoutSeconds, 1, settings.MaxTimeoutSeconds));
        var request = JsonSerializer.Serialize(new { invocationId = job.InvocationId, bot = job.Bot, payload = job.Payload });
        var directory = Path.Combine(settings.BotsDirectory, job.BotType);
        var manifest = settings.WarmHosts ? BotManifest.Load(BotManifest.PathOf(directory, job.Bot)) : BotManifest.Cold;
        var warm = manifest.Mode == BotMode.Warm;
        var hosts = Path.Combine(settings.HostsDirectory, job.BotType);

        string source;
        BotCommand command;
        switch (job.BotType)
        {
            case BotTypes.Python:
                source = Script(directory, job.Bot + ".py");
                var python = await InterpreterAsync("python3", ["-c", "import sys; print(sys.executable)"]);
                command = new BotCommand(python, warm ? ["-u", Script(hosts, "bot_host.py"), source] : ["-u", source]);
                break;
            case BotTypes.Node:
                source = Script(directory, job.Bot + ".js");
                var node = await InterpreterAsync("node", ["-p", "process.execPath"]);
                command = new BotCommand(node, warm ? [Script(hosts, "bot_host.js"), source] : [source], MemoryRlimit.Data);
                break;
            case BotTypes.Java:
                var className = ClassName(job.Bot);
                source = Script(directory, className + ".java");
                var classPath = await CompileAsync(source, className, ct);
                if (warm)
                {
                    classPath += Path.PathSeparator + await CompileAsync(Script(hosts, JavaHostClass + ".java"), JavaHostClass, ct);
                }
                command = new BotCommand("java",
                    [$"-Xmx{settings.MemoryLimitMb}m", "-XX:+UseSerialGC", "-Xshare:auto", .. Utf8JavaStreams, "-cp", classPath, .. warm ? [JavaHostClass, className] : new[] { className }],
                    MemoryRlimit.Runtime);
                break;
            default:
                throw new ArgumentException($"Unknown bot type '{job.BotType}'.");
        }
        // An edited bot gets fresh hosts: the key changes with the source's modification time.
        var hosting = warm
            ? new WarmHosting($"{string.Join(' ', [command.FileName, .. command.Arguments])}@{File.GetLastWriteTimeUtc(source).Ticks}", manifest.MaxJobs)
            : null;
        return new BotLaunch(command, request, timeout, hosting);
    }

    /// <summary><c>batch_processor</c> → <c>BatchProcessor</c>, the class and file name of a Java bot.</summary>
    public static string ClassName(string bot) =>
        string.Concat(bot.Split('_', StringSplitOptions.RemoveEmptyEntries).Select(part => char.ToUpperInvariant(part[0]) + part[1..]));

    /// <summary>
    /// The interpreter's real executable, asked once from the interpreter itself, so a version manager's shim
    /// (pyenv's is a shell script) is not paid again by every bot.
    /// </summary>
    private Task<string> InterpreterAsync(string name, string[] printExecutable) =>
        _interpreters.GetOrAdd(name, _ => new Lazy<Task<string>>(async () =>
        {
            try
            {
                var (exitCode, output, _) = await CommandAsync(name, printExecutable, CancellationToken.None);
                return exitCode == 0 && File.Exists(output.Trim()) ? output.Trim() : name;
            }
            catch (System.ComponentModel.Win32Exception)
            {
                // Not installed: starting the bot reports it.
                return name;
            }
        })).Value;

    private async Task<string> CompileAsync(string source, string className, CancellationToken ct)
    {
        var hash = Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(source, ct)))[..16];
        var output = Path.Combine(_javaCache, hash);
        if (File.Exists(Path.Combine(output, className + ".class")))
        {
            return output;
        }
        var compiling = _compiling.GetOrAdd(output, _ => new SemaphoreSlim(1, 1));
        await compiling.WaitAsync(ct);
        try
        {
            if (!File.Exists(Path.Combine(output, className + ".class")))
            {
                var staging = output + ".tmp-" + Environment.ProcessId;
                Directory.CreateDirectory(staging);
                try
                {
                    var javac = await JavacAsync(source, staging, ct);
                    if (javac.ExitCode != 0)
                    {
                        // A bot that does not compile fails every attempt alike: invalid, not a failure worth retrying.
                        throw new InvalidDataException($"javac failed for {source}: {javac.Error}{javac.Output}");
                    }
                    // A rename publishes the whole compiled bot at once, also to other runner processes.
                    try
                    {
                        Directory.Move(staging, output);
                    }
                    catch (IOException) when (Directory.Exists(output))
                    {
                        // Another runner process published it first.
                    }
                }
                finally
                {
                    if (Directory.Exists(staging))
                    {
                        Directory.Delete(staging, recursive: true);
                    }
                }
            }
            return output;
        }
        finally
        {
            compiling.Release();
        }
    }

    private async Task<(int ExitCode, string Output, string Error)> JavacAsync(string source, string staging, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(options.Value.JavaCompileTimeout);
        try
        {
            // A bot's source is read as UTF-8, not in the worker's locale, where a letter outside ASCII fails its compile.
            return await CommandAsync("javac", ["-encoding", "UTF-8", "-d", staging, source], timeout.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new TimeoutException($"javac did not compile {source} within {options.Value.JavaCompileTimeout.TotalSeconds:0} s (Workers:JavaCompileTimeout).");
        }
    }

    private static string Script(string directory, string file)
    {
        var path = Path.Combine(directory, file);
        return File.Exists(path) ? path : throw new FileNotFoundException($"The bot file '{path}' does not exist.", path);
    }

    private static async Task<(int ExitCode, string Output, string Error)> CommandAsync(string fileName, string[] arguments, CancellationToken ct)
    {
        using var process = new System.Diagnostics.Process
        {
            StartInfo = new System.Diagnostics.ProcessStartInfo(fileName, arguments)
            {
                RedirectStandardError = true,
                RedirectStandardOutput = true,
                WorkingDirectory = Path.GetTempPath(),
            },
        };
        process.Start();
        try
        {
            var error = process.StandardError.ReadToEndAsync(ct);
            var output = await process.StandardOutput.ReadToEndAsync(ct);
            await process.WaitForExitAsync(ct);
            return (process.ExitCode, output, await error);
        }
        catch (OperationCanceledException)
        {
            // Left running, it would go on for a caller that no longer waits for it.
            process.Kill(entireProcessTree: true);
            throw;
        }
    }
}
