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
    public async Task The_bodies_of_invoke_and_schedules_are_described_field_by_field_and_closed_to_others()
    {
        var paths = JsonNode.Parse(await system.Http.GetStringAsync($"{system.GatewayUrl}/openapi/v1.json"))!["paths"]!;
        var invoke = paths["/invoke"]!["post"]!["requestBody"]!["content"]!["application/json"]!["schema"]!;
        var schedule = paths["/schedules"]!["post"]!["requestBody"]!["content"]!["application/json"]!["schema"]!;

        Assert.Equal(["botType", "payload", "webhookUrl"], invoke["required"]!.AsArray().Select(name => (string)name!).Order());
        Assert.Equal(["bot", "botType", "orderingKey", "payload", "priority", "timeoutSeconds", "webhookUrl"],
            invoke["properties"]!.AsObject().Select(property => property.Key).Order());
        Assert.Equal("integer", (string?)invoke["properties"]!["priority"]!["type"]);
        Assert.False((bool)invoke["additionalProperties"]!);
        Assert.All((string[])["cron", "everyMs", "timeZone", "name", "botType"], field => Assert.NotNull(schedule["properties"]![field]!["description"]));
        Assert.False((bool)schedule["additionalProperties"]!);
        var idempotencyKey = Assert.Single(paths["/invoke"]!["post"]!["parameters"]!.AsArray(), parameter => (string?)parameter!["name"] == "Idempotency-Key")!;
        Assert.Equal("header", (string?)idempotencyKey["in"]);
    }

    [Fact]
    public async Task The_answers_of_job_schedules_and_stats_are_described_field_by_field()
    {
        var document = JsonNode.Parse(await system.Http.GetStringAsync($"{system.GatewayUrl}/openapi/v1.json"))!;
        var paths = document["paths"]!;
        JsonNode Schema(JsonNode operation, string status) =>
            Resolve(operation["responses"]![status]!["content"]!["application/json"]!["schema"]!);
        JsonNode Resolve(JsonNode schema) =>
            schema["$ref"] is { } reference ? document["components"]!["schemas"]![((string)reference!).Split('/')[^1]]! : schema;

        foreach (var job in (JsonNode[])[Schema(paths["/job/{id}"]!["get"]!, "200"), Schema(paths["/job/{id}"]!["delete"]!, "200")])
        {
            Assert.Equal(["attempts", "bot", "botType", "createdAt", "error", "finishedAt", "jobId", "progress", "result", "startedAt", "status", "webhook"],
                job["properties"]!.AsObject().Select(property => property.Key).Order());
            Assert.Equal("integer", (string?)job["properties"]!["attempts"]!["type"]);
            Assert.Contains("waiting-for-slot", (string?)job["properties"]!["status"]!["description"]);
            var webhook = Resolve(job["properties"]!["webhook"]!);
            Assert.Equal(["attempts", "lastStatusCode", "nextAttemptAt", "status"], webhook["properties"]!.AsObject().Select(property => property.Key).Order());
            Assert.Equal("date-time", (string?)webhook["properties"]!["nextAttemptAt"]!["format"]);
        }
        Assert.NotNull(paths["/job/{id}"]!["delete"]!["responses"]!["409"]);

        var schedule = Resolve(Schema(paths["/schedules"]!["get"]!, "200")["items"]!);
        Assert.Equal(["bot", "botType", "clientId", "createdAt", "cron", "everyMs", "lastInvocationId", "lastRunAt", "name", "nextRunAt", "orderingKey",
            "payload", "priority", "runs", "scheduleId", "timeZone", "timeoutSeconds", "webhookUrl"], schedule["properties"]!.AsObject().Select(property => property.Key).Order());
        Assert.Equal("date-time", (string?)schedule["properties"]!["nextRunAt"]!["format"]);
        Assert.Equal(schedule["properties"]!.ToJsonString(),
            Resolve(paths["/schedules"]!["post"]!["responses"]!["201"]!["content"]!["application/json"]!["schema"]!)["properties"]!.ToJsonString());

        // The system's health is described whether it is well (200) or not (503).
        Assert.Equal(Schema(paths["/health/system"]!["get"]!, "200").ToJsonString(), Schema(paths["/health/system"]!["get"]!, "503").ToJsonString());
        Assert.NotNull(Schema(paths["/health/system"]!["get"]!, "200")["properties"]!["status"]);

        var stats = Schema(paths["/stats"]!["get"]!, "200");
        Assert.Equal(["queues", "semaphores", "webhooks", "workers"], stats["properties"]!.AsObject().Select(property => property.Key).Order());
        var worker = Resolve(stats["properties"]!["workers"]!["items"]!);
        Assert.Equal("date-time", (string?)worker["properties"]!["lastHeartbeat"]!["format"]);
    }

    [Fact]
    public async Task The_openapi_document_says_how_to_send_the_api_key_and_that_triggers_need_none()
    {
        var document = JsonNode.Parse(await system.Http.GetStringAsync($"{system.GatewayUrl}/openapi/v1.json"))!;
        var schemes = document["components"]!["securitySchemes"]!;

        Assert.Equal("X-Api-Key", (string?)schemes["apiKey"]!["name"]);
        Assert.Equal("header", (string?)schemes["apiKey"]!["in"]);
        Assert.Equal("bearer", (string?)schemes["bearer"]!["scheme"]);
        Assert.Equal(["apiKey", "bearer"], document["security"]!.AsArray().SelectMany(requirement => requirement!.AsObject().Select(scheme => scheme.Key)).Order());
        Assert.Empty(document["paths"]!["/hooks/{triggerId}"]!["post"]!["security"]!.AsArray());
    }

    [Fact]
    public async Task The_docs_page_renders_the_api_in_a_browser_with_no_request_leaving_the_gateway()
    {
        var screenshots = Path.Combine(RepositoryPaths.Root, "TestResults", "screenshots");
        Directory.CreateDirectory(screenshots);

        var render = await CommandLine.RunAsync("node",
            [Path.Combine(RepositoryPaths.Root, "tests", "node", "docs", "render.js"), system.GatewayUrl, Path.Combine(screenshots, "api-docs.png")],
            timeout: TimeSpan.FromMinutes(1));

        var reportLine = render.Output.Split('\n').LastOrDefault(line => line.StartsWith('{'));
        Assert.True(reportLine is not null, $"The page was not rendered (./test.sh installs chromium and the node packages):\n{render.Output}");
        var report = JsonNode.Parse(reportLine)!;
        Assert.True(report["rendered"]!.GetValue<bool>(), render.Output);
        Assert.Empty(report["foreign"]!.AsArray());
    }
}
