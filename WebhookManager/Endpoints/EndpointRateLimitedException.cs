namespace BotSystem.WebhookManager.Endpoints;

/// <summary>A request its endpoint's rate limit holds back; its delivery comes back in <see cref="SlotIn"/>.</summary>
public sealed class EndpointRateLimitedException(TimeSpan slotIn) : Exception($"The endpoint's rate limit holds this request for {slotIn.TotalMilliseconds:0} ms.")
{
    public TimeSpan SlotIn { get; } = slotIn;
}
