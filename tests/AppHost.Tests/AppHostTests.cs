using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;

namespace AppHost.Tests;

public sealed class AppHostTests
{
    private static readonly string[] Services = ["redis", "mock-webhook", "webhook-manager", "workers", "orchestrator", "api-gateway"];

    [Fact]
    public async Task Every_resource_becomes_healthy_with_its_console_served_a_killed_service_is_restarted_and_SIGTERM_leaves_no_process()
    {
        await using var appHost = AppHostProcess.Start();

        var resources = await appHost.WaitForAsync(AppHostProcess.AllHealthy);
        Assert.Superset(Services.ToHashSet(), resources.Select(r => r!["name"]!.GetValue<string>()).ToHashSet());
        Assert.All(resources, r => Assert.StartsWith(r!["name"]!.GetValue<string>() == "redis" ? "redis://localhost:" : "http://localhost:", r["endpoints"]![0]!.GetValue<string>()));
        using var http = new HttpClient();
        var page = await http.GetStringAsync(appHost.DashboardUrl);
        Assert.Contains("api-gateway", page);
        Assert.Contains("/api/resources/redis/logs", page);
        Assert.Contains("Ready to accept connections", await http.GetStringAsync($"{appHost.DashboardUrl}/api/resources/redis/logs"));
        using (var unknown = await http.GetAsync($"{appHost.DashboardUrl}/api/resources/redis-server/logs"))
        {
            Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
            Assert.Contains("No resource is named 'redis-server'", await unknown.Content.ReadAsStringAsync());
        }
        // Nothing the AppHost starts, its dashboard included, is reachable from another machine.
        int[] ports = [appHost.DashboardPort, .. resources.Select(r => new Uri(r!["endpoints"]![0]!.GetValue<string>()).Port)];
        Assert.All(ports, port => Assert.All(ListeningAddresses(port), address => Assert.True(IPAddress.IsLoopback(address), $"port {port} listens on {address}")));
        Assert.NotEmpty(ListeningAddresses(appHost.DashboardPort));
        var browsed = await BrowseDashboardAsync(appHost, "redis");
        Assert.Superset(Services.ToHashSet(), browsed["healthy"]!.AsArray().Select(name => name!.GetValue<string>()).ToHashSet());
        Assert.True(browsed["console"]!.GetValue<string>().Contains("Ready to accept connections"), $"the redis console was not shown: {browsed}");

        var gatewayPid = Pid(resources, "api-gateway");
        Signals.Send(gatewayPid, Signals.SIGKILL);
        resources = await appHost.WaitForAsync(list =>
        {
            var gateway = list.Single(r => r!["name"]!.GetValue<string>() == "api-gateway")!;
            return gateway["restarts"]!.GetValue<int>() >= 1 && gateway["health"]!.GetValue<string>() == "healthy" && gateway["pid"]?.GetValue<int>() != gatewayPid;
        });

        // The console shows what the services do: no line per request, health poll or retry attempt that went well.
        Assert.DoesNotContain(appHost.Process.Output.Split('\n'), line => line.Contains("info: Polly") || line.Contains("info: Microsoft.AspNetCore.Hosting"));

        var pids = resources.Where(r => r!["pid"] is not null).Select(r => r!["pid"]!.GetValue<int>()).ToList();
        Assert.Equal(resources.Count, pids.Count);
        appHost.Process.Signal(Signals.SIGTERM);
        Assert.True(await appHost.Process.WaitForExitAsync(TimeSpan.FromSeconds(90)), appHost.Process.Output);
        Assert.Equal(0, appHost.Process.ExitCode);
        Assert.All(pids, pid => Assert.False(Signals.IsAlive(pid), $"process {pid} outlived the AppHost"));
    }

    [Fact]
    public async Task Ctrl_C_reaches_only_the_AppHost_which_stops_the_services_before_redis()
    {
        await using var appHost = AppHostProcess.StartAsInTerminal();
        var resources = await appHost.WaitForAsync(AppHostProcess.AllHealthy);
        var pids = resources.Select(r => r!["pid"]!.GetValue<int>()).ToList();

        Signals.SendToGroup(appHost.Process.Pid, Signals.SIGINT);

        Assert.True(await appHost.Process.WaitForExitAsync(TimeSpan.FromSeconds(90)), appHost.Process.Output);
        Assert.Equal(0, appHost.Process.ExitCode);
        Assert.All(pids, pid => Assert.False(Signals.IsAlive(pid), $"process {pid} outlived the AppHost"));
        var redisLog = appHost.Process.Output.Split('\n').Where(line => line.StartsWith("redis ", StringComparison.Ordinal)).ToList();
        // Redis is stopped by the AppHost (SIGTERM) after the services, not by the terminal's SIGINT along with them.
        Assert.Contains(redisLog, line => line.Contains("Received SIGTERM"));
        Assert.DoesNotContain(redisLog, line => line.Contains("Received SIGINT"));
        Assert.DoesNotContain("RedisConnectionException", appHost.Process.Output);
    }

    [Fact]
    public async Task A_service_port_variable_in_the_environment_is_the_port_the_AppHost_runs_and_watches_the_service_on()
    {
        var port = FreePort.Next();

        await using var appHost = AppHostProcess.Start(new Dictionary<string, string?> { ["ORCHESTRATOR_PORT"] = port.ToString() });

        var resources = await appHost.WaitForAsync(AppHostProcess.AllHealthy);
        Assert.Equal($"http://localhost:{port}", AppHostProcess.Resource(resources, "orchestrator")["endpoints"]![0]!.GetValue<string>());
        Assert.NotEmpty(ListeningAddresses(port));
        Assert.All(ListeningAddresses(port), address => Assert.True(IPAddress.IsLoopback(address), $"port {port} listens on {address}"));
    }

    [Fact]
    public async Task Services_export_telemetry_with_the_OTLP_protocol_the_AppHost_is_given()
    {
        using var collector = new OtlpHttpCollector();

        await using var appHost = AppHostProcess.Start(new Dictionary<string, string?>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = collector.Endpoint,
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
        });

        await appHost.WaitForAsync(AppHostProcess.AllHealthy);
        // Metrics are exported every second in development, by every service.
        await Eventually.HoldsAsync(() => Task.FromResult(collector.ExportsTo("/v1/metrics") >= 5), TimeSpan.FromSeconds(30),
            $"the services' metrics did not reach the OTLP/HTTP collector\n{appHost.Process.Output}");
    }

    [Fact]
    public async Task Missing_redis_server_ends_with_one_clear_message()
    {
        await using var appHost = AppHostProcess.Start(new Dictionary<string, string?> { ["PATH"] = "/nonexistent" });

        Assert.True(await appHost.Process.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(1, appHost.Process.ExitCode);
        Assert.Contains("redis-server is not on PATH", appHost.Process.Output);
        Assert.Contains("apt-get install", appHost.Process.Output);
        Assert.DoesNotContain("   at ", appHost.Process.Output);
    }

    [Fact]
    public async Task A_port_in_use_ends_with_one_clear_message_naming_it()
    {
        using var occupier = new TcpListener(IPAddress.Any, 0);
        occupier.Start();
        var port = ((IPEndPoint)occupier.LocalEndpoint).Port;

        await using var appHost = AppHostProcess.Start(null, $"--Ports:api-gateway={port}");

        Assert.True(await appHost.Process.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(1, appHost.Process.ExitCode);
        Assert.Contains($"Port {port} for api-gateway is already in use", appHost.Process.Output);
        Assert.DoesNotContain("   at ", appHost.Process.Output);
    }

    [Theory]
    [InlineData("workers", "orchestrator")]
    [InlineData("dashboard", "api-gateway")]
    public async Task A_port_given_to_two_resources_ends_with_one_clear_message_naming_both(string first, string second)
    {
        var port = FreePort.Next();

        await using var appHost = AppHostProcess.Start(null, $"--Ports:{first}={port}", $"--Ports:{second}={port}");

        Assert.True(await appHost.Process.WaitForExitAsync(TimeSpan.FromSeconds(30)), appHost.Process.Output);
        Assert.Equal(1, appHost.Process.ExitCode);
        Assert.Contains($"Port {port} is given to both {first} and {second}", appHost.Process.Output);
        Assert.DoesNotContain("   at ", appHost.Process.Output);
    }

    [Theory]
    [InlineData("--Ports:api-gateway=abc", "Ports:api-gateway must be a whole number, not 'abc'")]
    [InlineData("--Replicas:workers=three", "Replicas:workers must be a whole number, not 'three'")]
    [InlineData("--Ports:api-gatway=3001", "Ports:api-gatway names no resource of this system")]
    [InlineData("--Replicas:redis=2", "Replicas:redis names no resource of this system")]
    public async Task A_setting_that_is_no_number_or_names_no_resource_ends_with_one_clear_message(string argument, string message)
    {
        await using var appHost = AppHostProcess.Start(null, argument);

        Assert.True(await appHost.Process.WaitForExitAsync(TimeSpan.FromSeconds(30)), appHost.Process.Output);
        Assert.Equal(1, appHost.Process.ExitCode);
        Assert.Contains(message, appHost.Process.Output);
        Assert.DoesNotContain("   at ", appHost.Process.Output);
    }

    [Fact]
    public async Task Alert_rules_that_do_not_exist_end_with_one_clear_message_naming_the_option()
    {
        var missing = Path.Combine(Path.GetTempPath(), $"botsystem-no-rules-{Guid.NewGuid():N}.yml");

        await using var appHost = AppHostProcess.Start(null, $"--Prometheus:AlertRules={missing}");

        Assert.True(await appHost.Process.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(1, appHost.Process.ExitCode);
        Assert.Contains($"Prometheus:AlertRules names {missing}, which does not exist", appHost.Process.Output);
        Assert.DoesNotContain("   at ", appHost.Process.Output);
    }

    private static int Pid(JsonArray resources, string name) =>
        resources.Single(r => r!["name"]!.GetValue<string>() == name)!["pid"]!.GetValue<int>();

    /// <summary>The resource dashboard as headless Chromium shows it: the resources shown healthy, and the console <paramref name="resource"/>'s name leads to.</summary>
    private static async Task<JsonNode> BrowseDashboardAsync(AppHostProcess appHost, string resource)
    {
        var screenshots = Path.Combine(RepositoryPaths.Root, "TestResults", "screenshots");
        Directory.CreateDirectory(screenshots);
        var walk = await CommandLine.RunAsync("node",
            [Path.Combine(RepositoryPaths.Root, "tests", "node", "resources", "walkthrough.js"), appHost.DashboardUrl, resource, Path.Combine(screenshots, "resources.png")],
            timeout: TimeSpan.FromMinutes(1));
        var reportLine = walk.Output.Split('\n').LastOrDefault(line => line.StartsWith('{'));
        Assert.True(reportLine is not null, $"The dashboard was not browsed (./test.sh installs chromium and the node packages):\n{walk.Output}");
        return JsonNode.Parse(reportLine)!;
    }

    /// <summary>The local addresses of the TCP sockets listening on <paramref name="port"/>, from the kernel's socket tables.</summary>
    private static List<IPAddress> ListeningAddresses(int port)
    {
        const string listening = "0A";
        var addresses = new List<IPAddress>();
        foreach (var table in new[] { "/proc/net/tcp", "/proc/net/tcp6" })
        {
            foreach (var fields in File.ReadLines(table).Skip(1).Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries)))
            {
                var local = fields[1].Split(':');
                if (fields[3] == listening && Convert.ToInt32(local[1], 16) == port)
                {
                    // Each 32-bit word of the address is written in the machine's (little-endian) byte order.
                    var bytes = Convert.FromHexString(local[0]);
                    for (var word = 0; word < bytes.Length; word += 4)
                    {
                        Array.Reverse(bytes, word, 4);
                    }
                    addresses.Add(new IPAddress(bytes));
                }
            }
        }
        return addresses;
    }
}
