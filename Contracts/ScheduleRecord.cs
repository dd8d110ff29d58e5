namespace BotSystem.Contracts;

/// <summary>
/// The Redis hash <c>botsystem:schedule:{id}</c> describing a schedule of invocations (the job engine's scheduler
/// with the same id fires its runs), and the set of all schedule ids.
/// </summary>
public static class ScheduleRecord
{
    public const string Index = "botsystem:schedules";

    public static string Key(string scheduleId) => "botsystem:schedule:" + scheduleId;

    // Written by the gateway when the schedule is made.
    public const string ClientId = "clientId";
    public const string Definition = "definition";
    public const string CreatedAt = "createdAt";
    // The Redis key of the Idempotency-Key claim the schedule was made under, if any: a record dropped because its
    // creation was cut short takes the claim with it, so the client's repeat creates the schedule instead of a 409.
    public const string IdempotencyClaim = "idempotencyClaim";

    // Written by the orchestrator when a run starts.
    public const string LastInvocationId = "lastInvocationId";
    public const string LastRunAt = "lastRunAt";
}
