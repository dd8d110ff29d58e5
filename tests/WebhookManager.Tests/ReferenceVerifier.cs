using System.Diagnostics;
using System.Text.Json.Nodes;

namespace WebhookManager.Tests;

/// <summary>Verifies a request with the <c>standardwebhooks</c> npm package, an implementation independent of ours.</summary>
public static class ReferenceVerifier
{
    public static async Task<(bool Valid, string Output)> VerifyAsync(string secret, IReadOnlyDictionary<string, string> headers, string body)
    {
        var nodeDirectory = Path.Combine(RepositoryPaths.Root, "tests", "node");
        if (!Directory.Exists(Path.Combine(nodeDirectory, "node_modules", "standardwebhooks")))
        {
            throw new InvalidOperationException($"Run 'npm ci' in {nodeDirectory} first (./test.sh does it).");
        }
        var startInfo = new ProcessStartInfo("node", ["verify-standard-webhook.cjs"])
        {
            WorkingDirectory = nodeDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(startInfo)!;
        var input = new JsonObject
        {
            ["secret"] = secret,
            ["headers"] = new JsonObject(headers.Select(h => KeyValuePair.Create(h.Key, (JsonNode?)h.Value))),
            ["body"] = body,
        };
        await process.StandardInput.WriteAsync(input.ToJsonString());
        process.StandardInput.Close();
        var output = await process.StandardOutput.ReadToEndAsync() + await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode == 0 && output.StartsWith("valid", StringComparison.Ordinal), output.Trim());
    }
}
