using System.Text.Json.Nodes;

namespace BotSystem.JobEngine.Tests;

/// <summary>
/// Base of the tests that run the real BullMQ 6.2.0 (Node, from npm: tests/node) next to our engine on the same queue,
/// both sides with the target's prefix, through the small scripts in tests/node/interop.
/// </summary>
public abstract class InteropTest(EngineTarget target) : EngineTest(target)
{
    /// <summary>Runs a script of tests/node/interop against this test's Redis, prefix and queue; returns the JSON lines it printed.</summary>
    protected async Task<IReadOnlyList<JsonNode>> NodeAsync(string script, params string[] arguments)
    {
        var path = Path.Combine(RepositoryPaths.Root, "tests", "node", "interop", script);
        var run = await CommandLine.RunAsync("node", [path, Target.ConnectionString, Prefix, QueueName, .. arguments], timeout: TimeSpan.FromSeconds(60));
        Assert.True(run.ExitCode == 0, $"node {script} exited with {run.ExitCode}:\n{run.Output}");
        return run.Output.Split('\n').Where(line => line.StartsWith('{')).Select(line => JsonNode.Parse(line)!).ToList();
    }
}
