using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;

namespace EngineBench;

/// <summary>One engine under test: the command that runs one of its measurements as a child process.</summary>
internal sealed record BenchSide(string Name, string FileName, IReadOnlyList<string> Arguments)
{
    public static BenchSide Ours() =>
        new("ours", Environment.ProcessPath!, [typeof(BenchSide).Assembly.Location, "ours"]);

    public static BenchSide BullMq(string repositoryRoot) =>
        new("bullmq", "node", [Path.Combine(repositoryRoot, "bench", "engine", "node", "bullmq-side.mjs")]);

    /// <summary>Runs one measurement and returns the JSON object it printed last.</summary>
    public async Task<JsonObject> MeasureAsync(int redisPort, params object[] arguments)
    {
        var startInfo = new ProcessStartInfo(FileName) { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var argument in Arguments.Concat([redisPort.ToString(CultureInfo.InvariantCulture)])
                     .Concat(arguments.Select(a => Convert.ToString(a, CultureInfo.InvariantCulture)!)))
        {
            startInfo.ArgumentList.Add(argument);
        }
        using var process = Process.Start(startInfo) ?? throw new InvalidOperationException($"{Name}: '{FileName}' did not start.");
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        var last = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault();
        if (process.ExitCode != 0 || last is null)
        {
            throw new InvalidOperationException($"{Name} {string.Join(' ', arguments)} exited with {process.ExitCode}: {output}");
        }
        return JsonNode.Parse(last)!.AsObject();
    }
}
