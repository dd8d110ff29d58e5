namespace EngineBench;

/// <summary>Queue names and sizes both sides use, so they do the same work.</summary>
internal static class BenchQueues
{
    /// <summary>The measured queue.</summary>
    public const string Measured = "bench";

    /// <summary>Jobs that warm up code paths and connections before anything is timed.</summary>
    public const string Warmup = "bench-warmup";

    /// <summary>Jobs added one call at a time.</summary>
    public const string Singles = "bench-add";

    public const string JobName = "bench";

    public const int WarmupJobs = 5000;

    /// <summary>Single adds are timed on a quarter of the bulk size: one round trip each, they only need a stable rate.</summary>
    public static int SingleAdds(int jobs) => Math.Max(1, jobs / 4);
}
