using BotSystem.JobEngine;

namespace BotSystem.ApiGateway.Admin;

/// <summary>Job state names as BullMQ and the dashboard spell them.</summary>
public static class AdminStates
{
    private static readonly Dictionary<string, JobState> ByName = new(StringComparer.OrdinalIgnoreCase)
    {
        ["waiting"] = JobState.Waiting,
        ["prioritized"] = JobState.Prioritized,
        ["active"] = JobState.Active,
        ["delayed"] = JobState.Delayed,
        ["completed"] = JobState.Completed,
        ["failed"] = JobState.Failed,
        ["waiting-children"] = JobState.WaitingChildren,
    };

    public static IEnumerable<JobState> Listed => ByName.Values;

    public static bool TryParse(string? name, out JobState state) => ByName.TryGetValue(name ?? "", out state);

    public static string Name(JobState state) =>
        ByName.FirstOrDefault(pair => pair.Value == state).Key ?? "unknown";
}
