using System.Globalization;
using System.Text.Json.Nodes;
using WebhooksBench;

var deliveries = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 10_000;
var rounds = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 3;

await using var system = await BenchSystem.StartAsync(rounds);

// Warm both sides (and the receiver they share) up until their rates settle. The JIT goes on tiering a service's
// code for tens of seconds of load, and measuring before it is done compares warm-ups, not deliveries.
var warmUpPasses = await WarmUpAsync(
    ("httpclient", () => system.PeerAsync(deliveries, "127.0.0.1")),
    ("queue floor", () => system.QueueFloorAsync(deliveries, "127.0.0.1")),
    ("manager", () => system.ManagerAsync(deliveries, ["127.0.0.1"], [])));

// Each comparison runs its two sides back to back in several rounds and reports the median round, so a burst of
// load from elsewhere on the machine skews one round instead of one side. Every round delivers to endpoints the
// manager has not seen, so each pays for its first connections and learns anew which endpoints answer.
var single = new List<(BenchSystem.Measurement Peer, BenchSystem.Measurement Ours)>();
var floor = new List<(BenchSystem.Measurement Peer, BenchSystem.Measurement Ours)>();
var halfDead = new List<(double AllHealthy, double WithDead)>();
for (var round = 1; round <= rounds; round++)
{
    var peer = await system.PeerAsync(deliveries, "127.0.0.1");
    var queueFloor = await system.QueueFloorAsync(deliveries, "127.0.0.1");
    var ours = await system.ManagerAsync(deliveries, [BenchSystem.Host(round, 2)], []);
    single.Add((peer, ours));
    floor.Add((peer, queueFloor));
}
// The code for dead endpoints (postponements, timeouts) is warmed up once too.
await system.ManagerAsync(deliveries, [BenchSystem.Host(0, 40)], [BenchSystem.Host(0, 60)]);
await system.DrainAsync();
for (var round = 1; round <= rounds; round++)
{
    string[] allHealthy = [.. Enumerable.Range(10, 20).Select(i => BenchSystem.Host(round, i))];
    string[] halfHealthy = [.. Enumerable.Range(40, 10).Select(i => BenchSystem.Host(round, i))];
    string[] dead = [.. Enumerable.Range(60, 10).Select(i => BenchSystem.Host(round, i))];
    var healthyOnly = await system.ManagerAsync(deliveries, allHealthy, []);
    var withDead = await system.ManagerAsync(deliveries, halfHealthy, dead);
    halfDead.Add((healthyOnly.PerSecond, withDead.PerSecond));
    await system.DrainAsync();
}

static double Ratio((BenchSystem.Measurement Peer, BenchSystem.Measurement Ours) round) => round.Ours.PerSecond / round.Peer.PerSecond;
static double Micros(TimeSpan perDelivery) => Math.Round(perDelivery.TotalMicroseconds, 1);
var medianSingle = single.OrderBy(Ratio).ElementAt(rounds / 2);
var medianFloor = floor.OrderBy(Ratio).ElementAt(rounds / 2);
var medianHalfDead = halfDead.OrderBy(r => r.WithDead / r.AllHealthy).ElementAt(rounds / 2);
Console.WriteLine(new JsonObject
{
    ["bench"] = "webhooks",
    ["ratio"] = Math.Round(Ratio(medianSingle), 3),
    ["healthy_with_half_dead_ratio"] = Math.Round(medianHalfDead.WithDead / medianHalfDead.AllHealthy, 3),
    ["deliveries"] = deliveries,
    ["rounds"] = rounds,
    ["warm_up_passes"] = warmUpPasses,
    ["manager_per_s"] = Math.Round(medianSingle.Ours.PerSecond, 1),
    ["httpclient_per_s"] = Math.Round(medianSingle.Peer.PerSecond, 1),
    // The ratio a bare worker of our job engine gets, posting the same jobs: what the durable queue alone leaves of the bare loop's rate.
    ["queue_floor_ratio"] = Math.Round(Ratio(medianFloor), 3),
    ["queue_floor_per_s"] = Math.Round(medianFloor.Ours.PerSecond, 1),
    ["queue_floor_cpu_us_per_delivery"] = Micros(medianFloor.Ours.SenderCpu),
    ["queue_floor_redis_cpu_us_per_delivery"] = Micros(medianFloor.Ours.RedisCpu),
    // Where a delivery's CPU goes, in the median round: the two sides share the receiver, and only ours uses Redis.
    ["manager_cpu_us_per_delivery"] = Micros(medianSingle.Ours.SenderCpu),
    ["manager_redis_cpu_us_per_delivery"] = Micros(medianSingle.Ours.RedisCpu),
    ["manager_receiver_cpu_us_per_delivery"] = Micros(medianSingle.Ours.ReceiverCpu),
    ["httpclient_cpu_us_per_delivery"] = Micros(medianSingle.Peer.SenderCpu),
    ["httpclient_receiver_cpu_us_per_delivery"] = Micros(medianSingle.Peer.ReceiverCpu),
    ["healthy_all_healthy_per_s"] = Math.Round(medianHalfDead.AllHealthy, 1),
    ["healthy_half_dead_per_s"] = Math.Round(medianHalfDead.WithDead, 1),
    ["ratio_rounds"] = new JsonArray([.. single.Select(r => (JsonNode)Math.Round(Ratio(r), 3))]),
    ["healthy_with_half_dead_ratio_rounds"] = new JsonArray([.. halfDead.Select(r => (JsonNode)Math.Round(r.WithDead / r.AllHealthy, 3))]),
}.ToJsonString());

// Passes of every side until no one's rate rises by more than a tenth over its previous pass's (the machine's
// noise moves a settled rate about as much either way), at least four passes and at most ten.
static async Task<int> WarmUpAsync(params (string Name, Func<Task<BenchSystem.Measurement>> Measure)[] sides)
{
    var previous = new double[sides.Length];
    for (var pass = 1; ; pass++)
    {
        var rates = new double[sides.Length];
        for (var side = 0; side < sides.Length; side++)
        {
            rates[side] = (await sides[side].Measure()).PerSecond;
        }
        Console.Error.WriteLine($"warm-up pass {pass}: " + string.Join(", ", sides.Select((side, i) => $"{side.Name} {rates[i]:F0}/s")));
        if (pass == 10 || pass >= 4 && rates.Select((rate, i) => rate <= 1.1 * previous[i]).All(settled => settled))
        {
            return pass;
        }
        previous = rates;
    }
}
