using Xunit.Abstractions;

namespace BotSystem.JobEngine.Tests;

[Collection(SemaphoreCollection.Name)]
public sealed class SemaphoreMultiProcessTests(RedisServer redis, ITestOutputHelper output) : IDisposable
{
    private const int Limit = 2;
    private const int Processes = 5;
    private static readonly TimeSpan LeaseTime = TimeSpan.FromSeconds(1);

    private readonly string _name = "processes-" + Guid.NewGuid().ToString("N");
    private readonly DirectoryInfo _logs = Directory.CreateTempSubdirectory("botsystem-semaphore-");

    [Fact]
    public async Task Processes_killed_mid_hold_never_let_concurrent_holders_exceed_the_limit_and_the_others_keep_going()
    {
        var contenders = Enumerable.Range(0, Processes).Select(StartContender).ToList();
        try
        {
            await Eventually.HoldsAsync(() => Task.FromResult(contenders.All(c => c.Acquisitions() >= 3)), TimeSpan.FromSeconds(90),
                "every process acquires the semaphore a few times");

            var victims = contenders.Take(2).ToList();
            foreach (var victim in victims)
            {
                await KillWhileHoldingAsync(victim);
            }
            var lastKill = victims.Max(victim => victim.KilledAt!.Value);
            var survivors = contenders.Skip(victims.Count).ToList();
            var progressBefore = survivors.ToDictionary(s => s, s => s.AcquisitionsSince(lastKill + (long)LeaseTime.TotalMilliseconds));

            await Eventually.HoldsAsync(
                () => Task.FromResult(survivors.All(s => s.AcquisitionsSince(lastKill + (long)LeaseTime.TotalMilliseconds) >= progressBefore[s] + 5)),
                TimeSpan.FromSeconds(60), "every surviving process keeps acquiring after the kills");
            foreach (var survivor in survivors)
            {
                await KillAsync(survivor);
            }

            Assert.Contains(victims, victim => victim.WasHoldingWhenKilled());
            var intervals = contenders.SelectMany(c => c.HoldIntervals()).ToList();
            foreach (var (contender, index) in contenders.Select((c, i) => (c, i)))
            {
                output.WriteLine($"process {index} killed at {contender.KilledAt}, its lease ended at {contender.LeaseEnd}: {string.Join(" | ", contender.Lines())}");
            }
            // The permit of a killed holder returns within the lease time (plus a renewal in flight at the kill).
            Assert.All(contenders, c => Assert.True(c.LeaseEnd <= c.KilledAt + LeaseTime.TotalMilliseconds + 50, $"lease ended at {c.LeaseEnd}, killed at {c.KilledAt}"));
            var most = MostConcurrent(intervals);
            output.WriteLine($"{intervals.Count} holds by {Processes} processes, at most {most} at once; per process: " +
                string.Join(", ", contenders.Select(c => c.Acquisitions())));
            Assert.DoesNotContain(contenders, c => c.Lines().Any(line => line.StartsWith("lost", StringComparison.Ordinal)));
            Assert.Equal(Limit, most);
        }
        finally
        {
            foreach (var contender in contenders)
            {
                await contender.Process.DisposeAsync();
            }
        }
    }

    public void Dispose() => _logs.Delete(recursive: true);

    private SemaphoreContenderProcess StartContender(int index)
    {
        var log = Path.Combine(_logs.FullName, $"contender-{index}.log");
        File.WriteAllText(log, "");
        var program = Path.Combine(RepositoryPaths.Root, "tests", "SemaphoreContender", "bin", RepositoryPaths.Configuration, "net10.0", "SemaphoreContender.dll");
        var process = ServiceProcess.Start("dotnet",
            [program, redis.ConnectionString, _name, Limit.ToString(), ((int)LeaseTime.TotalMilliseconds).ToString(), log],
            new Dictionary<string, string?>());
        return new SemaphoreContenderProcess(process, log);
    }

    private async Task KillWhileHoldingAsync(SemaphoreContenderProcess victim)
    {
        await Eventually.HoldsAsync(() => Task.FromResult(victim.IsHolding()), TimeSpan.FromSeconds(30), "the victim holds a permit");
        await KillAsync(victim);
    }

    /// <summary>
    /// Kills a contender and learns from Redis when its last lease ends: the expiry listed right after
    /// its death, or if the lease ran out in between, the expiry listed right before the kill.
    /// </summary>
    private async Task KillAsync(SemaphoreContenderProcess contender)
    {
        var before = await LeaseOfAsync(contender);
        Signals.Send(contender.Process.Pid, Signals.SIGKILL);
        contender.KilledAt = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        await Eventually.HoldsAsync(() => Task.FromResult(!Signals.IsAlive(contender.Process.Pid)), TimeSpan.FromSeconds(10), "the process dies");
        var after = await LeaseOfAsync(contender);
        contender.LeaseEnd = (after ?? before)?.ExpiresAt.ToUnixTimeMilliseconds() ?? contender.KilledAt;
        await contender.Process.WaitForExitAsync(TimeSpan.FromSeconds(10));
    }

    private async Task<SemaphoreHolder?> LeaseOfAsync(SemaphoreContenderProcess contender)
    {
        var holders = await new RedisSemaphore(redis.Connection, _name, Limit).GetHoldersAsync();
        return holders.SingleOrDefault(holder => holder.Holder == $"contender-{contender.Process.Pid}");
    }

    /// <summary>The largest number of intervals covering one instant; an end and a start at the same millisecond do not overlap.</summary>
    private static int MostConcurrent(IEnumerable<(long Start, long End)> intervals)
    {
        var events = intervals.SelectMany(i => new[] { (Time: i.Start, Change: 1), (Time: i.End, Change: -1) })
            .OrderBy(e => e.Time).ThenBy(e => e.Change);
        int current = 0, most = 0;
        foreach (var (_, change) in events)
        {
            current += change;
            most = Math.Max(most, current);
        }
        return most;
    }
}
