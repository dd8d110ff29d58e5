using System.Security.Cryptography;
using System.Text.Json;
using BotSystem.Contracts;
using Microsoft.Extensions.Options;

namespace BotSystem.Workers.Runners;

/// <summary>
/// Knows how each language's bot is started: Python and Node scripts run directly; a Java bot is
/// compiled once per source content into a cache keyed by its hash and run with <c>java -cp</c>.
/// </summary>
public sealed class BotLaunchers(IOptions<WorkersOptions> options)
{
    private readonly SemaphoreSlim _compileLock = new(1, 1);
    private readonly string _javaCache = Path.Combine(Path.GetTempPath(), "botsystem-java-cache");

    public async Task<BotLaunch> LaunchFor(BotJobData job, CancellationToken ct)
    {
        var settings = options.Value;
        var timeout = TimeSpan.FromSeconds(Math.Clamp(job.TimeoutSeconds <= 0 ? settings.MaxTimeoutSeconds : job.TimeoutSeconds, 1, settings.MaxTimeoutSeconds));
        var request = JsonSerializer.Serialize(new { invocationId = job.InvocationId, bot = job.Bot, payload = job.Payload });
        var directory = Path.Combine(settings.BotsDirectory, job.BotType);
        return job.BotType switch
        {
            BotTypes.Python => new BotLaunch("python3", ["-u", Script(directory, job.Bot + ".py")], request, timeout),
            BotTypes.Node => new BotLaunch("node", [Script(directory, job.Bot + ".js")], request, timeout, LimitAddressSpace: false),
            BotTypes.Java => new BotLaunch("java",
                [$"-Xmx{settings.MemoryLimitMb}m", "-XX:+UseSerialGC", "-Xshare:auto", "-cp", await CompileAsync(directory, job.Bot, ct), ClassName(job.Bot)],
                request, timeout, LimitAddressSpace: false),
            _ => throw new ArgumentException($"Unknown bot type '{job.BotType}'."),
        };
    }

    /// <summary><c>batch_processor</c> → <c>BatchProcessor</c>, the class and file name of a Java bot.</summary>
    public static string ClassName(string bot) =>
        string.Concat(bot.Split('_', StringSplitOptions.RemoveEmptyEntries).Select(part => char.ToUpperInvariant(part[0]) + part[1..]));

    private async Task<string> CompileAsync(string directory, string bot, CancellationToken ct)
    {
        var source = Script(directory, ClassName(bot) + ".java");
        var hash = Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(source, ct)))[..16];
        var output = Path.Combine(_javaCache, hash);
        if (File.Exists(Path.Combine(output, ClassName(bot) + ".class")))
        {
            return output;
        }
        await _compileLock.WaitAsync(ct);
        try
        {
            if (!File.Exists(Path.Combine(output, ClassName(bot) + ".class")))
            {
                var staging = output + ".tmp-" + Environment.ProcessId;
                Directory.CreateDirectory(staging);
                var javac = await CommandAsync("javac", ["-d", staging, source], ct);
                if (javac.ExitCode != 0)
                {
                    throw new InvalidOperationException($"javac failed for {source}: {javac.Output}");
                }
                // A rename publishes the whole compiled bot at once, also to other runner processes.
                try
                {
                    Directory.Move(staging, output);
                }
                catch (IOException) when (Directory.Exists(output))
                {
                    Directory.Delete(staging, recursive: true);
                }
            }
            return output;
        }
        finally
        {
            _compileLock.Release();
        }
    }

    private static string Script(string directory, string file)
    {
        var path = Path.Combine(directory, file);
        return File.Exists(path) ? path : throw new FileNotFoundException($"The bot file '{path}' does not exist.", path);
    }

    private static async Task<(int ExitCode, string Output)> CommandAsync(string fileName, string[] arguments, CancellationToken ct)
    {
        using var process = new System.Diagnostics.Process
        {
            StartInfo = new System.Diagnostics.ProcessStartInfo(fileName, arguments) { RedirectStandardError = true, RedirectStandardOutput = true },
        };
        process.Start();
        var output = await process.StandardError.ReadToEndAsync(ct) + await process.StandardOutput.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        return (process.ExitCode, output);
    }
}
