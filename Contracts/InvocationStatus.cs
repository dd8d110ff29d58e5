namespace BotSystem.Contracts;

/// <summary>The status of an invocation as <c>GET /job/{id}</c> reports it.</summary>
public static class InvocationStatus
{
    public const string Queued = "queued";
    public const string WaitingForTurn = "waiting-for-turn";
    public const string WaitingForSlot = "waiting-for-slot";
    public const string Running = "running";
    public const string Completed = "completed";
    public const string Failed = "failed";
    public const string Cancelled = "cancelled";

    /// <summary>The statuses an invocation ends in, never to change again.</summary>
    public static readonly string[] Final = [Completed, Failed, Cancelled];

    public static bool IsFinal(string status) => Final.Contains(status);
}

/// <summary>The state of an invocation's webhook delivery.</summary>
public static class DeliveryStatus
{
    public const string Pending = "pending";
    public const string Retrying = "retrying";
    public const string Delivered = "delivered";
    public const string Dead = "dead";
}
