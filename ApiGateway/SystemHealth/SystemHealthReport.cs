namespace BotSystem.ApiGateway.SystemHealth;

/// <summary>The aggregated health of the whole system, as <c>GET /health/system</c> answers it.</summary>
public sealed record SystemHealthReport
{
    public const string Healthy = "healthy";
    public const string Degraded = "degraded";
    public const string Unhealthy = "unhealthy";

    public required string Status { get; init; }
    public required DateTimeOffset CheckedAt { get; init; }
    public required IReadOnlyList<string> Reasons { get; init; }
    public double? RedisLatencyMs { get; init; }
    public required IReadOnlyDictionary<string, string> Services { get; init; }
    public required IReadOnlyDictionary<string, QueueHealth> Queues { get; init; }
    public required IReadOnlyDictionary<string, string> Circuits { get; init; }
    public required IReadOnlyDictionary<string, int> LiveWorkersByType { get; init; }

    public static SystemHealthReport NotYetChecked { get; } = new()
    {
        Status = Unhealthy,
        CheckedAt = DateTimeOffset.MinValue,
        Reasons = ["The first check has not finished yet."],
        Services = new Dictionary<string, string>(),
        Queues = new Dictionary<string, QueueHealth>(),
        Circuits = new Dictionary<string, string>(),
        LiveWorkersByType = new Dictionary<string, int>(),
    };
}

public sealed record QueueHealth(long Waiting, long Active, long Delayed, long Failed, double OldestWaitingAgeSeconds);
