using System.Globalization;
using System.Text.Json.Nodes;
using BotSystem.Testing;
using WebhooksBench;

var deliveries = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 2000;

await using var system = await BenchSystem.StartAsync();

// Warm both sides up so neither pays for JIT or first connections in the measurement.
await system.PeerAsync(200, "127.0.0.1");
await system.ManagerAsync(200, ["127.0.0.1"], []);

var peer = await system.PeerAsync(deliveries, "127.0.0.1");
var ours = await system.ManagerAsync(deliveries, ["127.0.0.2"], []);

string[] allHealthy = [.. Enumerable.Range(10, 20).Select(i => $"127.0.0.{i}")];
string[] halfHealthy = [.. Enumerable.Range(40, 10).Select(i => $"127.0.0.{i}")];
var healthyOnly = await system.ManagerAsync(deliveries, allHealthy, []);
var withDead = await system.ManagerAsync(deliveries, halfHealthy, [.. Enumerable.Range(60, 10).Select(i => $"127.0.0.{i}")]);

Console.WriteLine(new JsonObject
{
    ["bench"] = "webhooks",
    ["ratio"] = Math.Round(ours / peer, 3),
    ["healthy_with_half_dead_ratio"] = Math.Round(withDead / healthyOnly, 3),
    ["deliveries"] = deliveries,
    ["manager_per_s"] = Math.Round(ours, 1),
    ["httpclient_per_s"] = Math.Round(peer, 1),
    ["healthy_all_healthy_per_s"] = Math.Round(healthyOnly, 1),
    ["healthy_half_dead_per_s"] = Math.Round(withDead, 1),
}.ToJsonString());
