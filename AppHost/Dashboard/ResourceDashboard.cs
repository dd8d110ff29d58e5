using System.Net;
using BotSystem.AppHost.Resources;

namespace BotSystem.AppHost.Dashboard;

/// <summary>
/// The resource dashboard: a self-refreshing page, <c>GET /api/resources</c> for scripts and tests, and
/// <c>GET /api/resources/{name}/logs</c>, the lines of a resource's console the AppHost keeps, as plain text.
/// </summary>
public static class ResourceDashboard
{
    public static async Task<WebApplication> StartAsync(int port, IReadOnlyList<Resource> resources)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        // Loopback only, as the services: the page shows their consoles.
        builder.WebHost.UseUrls($"http://localhost:{port}");
        var app = builder.Build();
        app.MapGet("/api/resources", () => resources.Select(View));
        app.MapGet("/api/resources/{name}/logs", (string name) =>
            resources.FirstOrDefault(resource => resource.Name == name) is { } resource
                ? Results.Text(string.Join('\n', resource.RecentLogs) + "\n", "text/plain; charset=utf-8")
                : Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such resource",
                    detail: $"No resource is named '{name}'; the resources are {string.Join(", ", resources.Select(r => r.Name))}."));
        app.MapGet("/", () => Results.Content(Page(resources), "text/html; charset=utf-8"));
        await app.StartAsync();
        return app;
    }

    private static ResourceView View(Resource resource) => new(
        resource.Name, resource.State.ToString(), resource.Health, resource.Pid, resource.Restarts, [resource.Url],
        resource.Uptime is { } uptime ? (long)uptime.TotalSeconds : null);

    private static string Page(IReadOnlyList<Resource> resources)
    {
        var rows = string.Concat(resources.Select(resource => $"""
            <tr><td><a href="/api/resources/{Uri.EscapeDataString(resource.Name)}/logs" title="its console">{E(resource.Name)}</a></td><td>{resource.State}</td><td class="{E(resource.Health)}">{E(resource.Health)}</td>
            <td>{resource.Pid}</td><td>{(resource.Uptime is { } up ? $"{(int)up.TotalMinutes}m {up.Seconds}s" : "")}</td><td>{resource.Restarts}</td>
            <td><a href="{E(resource.Url)}">{E(resource.Url)}</a></td></tr>
            <tr><td colspan="7"><pre>{E(string.Join('\n', resource.RecentLogs.TakeLast(8)))}</pre></td></tr>
            """));
        return $$"""
            <!doctype html><html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="2">
            <title>BotSystem resources</title>
            <style>
              body { font: 14px system-ui, sans-serif; margin: 1.5rem; color: #1d2330; }
              table { border-collapse: collapse; width: 100%; } td, th { padding: .3rem .6rem; border-bottom: 1px solid #e5e7eb; text-align: left; }
              pre { margin: 0; font-size: 12px; color: #4b5563; white-space: pre-wrap; max-height: 8rem; overflow: auto; }
              .healthy { color: #15803d; } .unhealthy { color: #b91c1c; }
            </style></head><body>
            <h1>BotSystem resources</h1>
            <table><tr><th>resource</th><th>state</th><th>health</th><th>pid</th><th>uptime</th><th>restarts</th><th>endpoint</th></tr>{{rows}}</table>
            </body></html>
            """;
    }

    private static string E(string? text) => WebUtility.HtmlEncode(text ?? "");

    private sealed record ResourceView(string Name, string State, string Health, int? Pid, int Restarts, string[] Endpoints, long? UptimeSeconds);
}
