namespace BotSystem.JobEngine.Tests;

/// <summary>A contender process and its own record of when it held the semaphore.</summary>
internal sealed class SemaphoreContenderProcess(ServiceProcess process, string log)
{
    public ServiceProcess Process { get; } = process;

    public long? KilledAt { get; set; }

    public long? LeaseEnd { get; set; }

    public string[] Lines() => File.ReadAllLines(log).Where(line => line.Length > 0).ToArray();

    public int Acquisitions() => Lines().Count(line => line.StartsWith("acquired ", StringComparison.Ordinal));

    public int AcquisitionsSince(long unixMs) => Lines().Count(line => line.StartsWith("acquired ", StringComparison.Ordinal) && Time(line) > unixMs);

    public bool IsHolding() => Lines() is [.., var last] && last.StartsWith("acquired ", StringComparison.Ordinal);

    public bool WasHoldingWhenKilled() => KilledAt is not null && IsHolding();

    /// <summary>Each hold from "acquired" to "releasing"; a hold cut short by a kill lasts until its lease ended.</summary>
    public IEnumerable<(long Start, long End)> HoldIntervals()
    {
        long? start = null;
        foreach (var line in Lines())
        {
            if (line.StartsWith("acquired ", StringComparison.Ordinal))
            {
                start = Time(line);
            }
            else if (start is not null)
            {
                yield return (start.Value, Time(line));
                start = null;
            }
        }
        if (start is not null)
        {
            yield return (start.Value, LeaseEnd!.Value);
        }
    }

    private static long Time(string line) => long.Parse(line[(line.IndexOf(' ') + 1)..]);
}
