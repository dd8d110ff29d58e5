namespace BotSystem.JobEngine;

/// <summary>Script arguments of a retention setting: count (-1 keep all, 0 none), age in seconds (0 any), prune limit.</summary>
internal readonly record struct KeepPolicy(long Count, long AgeSeconds, long Limit)
{
    public static readonly KeepPolicy KeepAll = new(-1, 0, 1000);

    public static KeepPolicy From(KeepJobs? jobSetting, KeepJobs? workerSetting)
    {
        var keep = jobSetting ?? workerSetting;
        if (keep is null)
        {
            return KeepAll;
        }
        if (keep.RemoveAll)
        {
            return new KeepPolicy(0, 0, 1000);
        }
        return new KeepPolicy(keep.Count ?? -1, (long)(keep.Age?.TotalSeconds ?? 0), 1000);
    }
}
