using System.Text.Json.Nodes;
using StackExchange.Redis;

namespace ApiGateway.Tests;

[Collection(nameof(TwoOrchestratorCollection))]
public sealed class CrashSafetyTests(TwoOrchestratorSystem system)
{
    [Fact]
    public async Task Killing_one_of_two_orchestrators_during_fifty_invocations_loses_none_returns_its_permits_and_keeps_only_the_retained_jobs()
    {
        string[] types = ["python", "node", "java", "node", "python"];
        var ids = await Task.WhenAll(Enumerable.Range(0, 50).Select(i =>
            system.InvokeOkAsync(new { botType = types[i % types.Length], payload = new { durationMs = 1500, records = 10 }, webhookUrl = system.Webhook })));
        // The victim is whichever orchestrator holds three invocations first: the one that fetches while the others are
        // waiting takes all of them, so on a busy machine either may end up with every one.
        ServiceProcess[] orchestrators = [.. Enumerable.Range(1, 2).Select(i => system.Services.ProcessOf(FlowSystem.OrchestratorInstance(i)))];
        ServiceProcess? victim = null;
        await FlowSystem.EventuallyAsync(async () =>
        {
            var active = await ActiveInvocationsByWorkerAsync();
            victim = orchestrators.FirstOrDefault(orchestrator => active.Count(worker => worker.EndsWith($"-{orchestrator.Pid}", StringComparison.Ordinal)) >= 3);
            return victim is not null;
        }, "neither orchestrator took three of the invocations");

        victim!.Signal(Signals.SIGKILL);
        Assert.True(await victim.WaitForExitAsync(TimeSpan.FromSeconds(10)));

        var jobs = await Task.WhenAll(ids.Select(id => system.WaitForEndAsync(id, TimeSpan.FromMinutes(3))));
        Assert.All(jobs, job => Assert.Equal("completed", job!["status"]!.GetValue<string>()));
        await FlowSystem.EventuallyAsync(async () =>
        {
            using var response = await system.SendAsync(HttpMethod.Get, "/stats", FlowSystem.AdminKey);
            var semaphores = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["semaphores"]!.AsObject();
            return semaphores.All(semaphore => semaphore.Value!["used"]!.GetValue<int>() == 0);
        }, "permits of the killed orchestrator never came back", TimeSpan.FromSeconds(30));
        // Fifty completed invocations, of which the retention keeps the last ones only.
        Assert.Equal(FlowSystem.KeepFinishedJobs, await system.Redis.Connection.GetDatabase().SortedSetLengthAsync("bull:invocations:completed"));
    }

    [Fact]
    public async Task An_outage_of_redis_while_a_bot_runs_ends_it_completed_without_running_it_again()
    {
        var jobId = await system.InvokeOkAsync(new { botType = "python", payload = new { durationMs = 8000 }, webhookUrl = system.Webhook });
        await system.WaitForStatusAsync(jobId, "running");

        // Down for longer than the clients wait for an answer, so the calls made meanwhile fail rather than wait.
        await system.Redis.StopAsync();
        await Task.Delay(TimeSpan.FromSeconds(6));
        await system.Redis.StartAsync();
        var job = await system.WaitForEndAsync(jobId, TimeSpan.FromMinutes(2));

        Assert.Equal("completed", job["status"]!.GetValue<string>());
        Assert.True(job["attempts"]!.GetValue<int>() == 1, system.Services.ProcessOf("Workers").Output + "\n-----\n" + system.Services.ProcessOf(FlowSystem.OrchestratorInstance(1)).Output);
    }

    /// <summary>The worker processing each active invocation, from the engine's own bookkeeping.</summary>
    private async Task<IReadOnlyList<string>> ActiveInvocationsByWorkerAsync()
    {
        var database = system.Redis.Connection.GetDatabase();
        var workers = new List<string>();
        foreach (var id in await database.ListRangeAsync("bull:invocations:active"))
        {
            workers.Add((string?)await database.HashGetAsync($"bull:invocations:{id}", "pb") ?? "");
        }
        return workers;
    }
}
