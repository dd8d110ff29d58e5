using System.Text.Json.Nodes;

namespace ApiGateway.Tests;

[Collection(nameof(FlowCollection))]
public sealed class ApiDocsTests(FlowSystem system)
{
    [Fact]
    public async Task The_openapi_document_describes_every_public_endpoint()
    {
        var paths = JsonNode.Parse(await system.Http.GetStringAsync($"{system.GatewayUrl}/openapi/v1.json"))!["paths"]!;

        Assert.NotNull(paths["/invoke"]!["post"]);
        Assert.NotNull(paths["/job/{id}"]!["get"]);
        Assert.NotNull(paths["/job/{id}"]!["delete"]);
        Assert.NotNull(paths["/schedules"]!["post"]);
        Assert.NotNull(paths["/schedules/{id}"]!["delete"]);
        Assert.NotNull(paths["/hooks/{triggerId}"]!["post"]);
        // What a client sending work must be ready for: its own mistakes, its rate, and an outage to retry.
        foreach (var write in (JsonNode[])[paths["/invoke"]!["post"]!, paths["/hooks/{triggerId}"]!["post"]!])
        {
            Assert.All((string[])["400", "429", "503"], status => Assert.NotNull(write["responses"]![status]));
        }
    }

    [Fact]
    public async Task The_docs_page_renders_the_api_in_a_browser_with_no_request_leaving_the_gateway()
    {
        var screenshots = Path.Combine(RepositoryPaths.Root, "TestResults", "screenshots");
        Directory.CreateDirectory(screenshots);

        var render = await CommandLine.RunAsync("node",
            [Path.Combine(RepositoryPaths.Root, "tests", "node", "docs", "render.js"), system.GatewayUrl, Path.Combine(screenshots, "api-docs.png")],
            timeout: TimeSpan.FromMinutes(1));

        var report = JsonNode.Parse(render.Output.Split('\n').Last(line => line.StartsWith('{')))!;
        Assert.True(report["rendered"]!.GetValue<bool>(), render.Output);
        Assert.Empty(report["foreign"]!.AsArray());
    }
}
