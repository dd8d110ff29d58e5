using BotSystem.WebhookManager.Delivery;
using Polly;

namespace BotSystem.WebhookManager.Endpoints;

/// <summary>Lets a request through when its endpoint's <see cref="EndpointRateLimit"/> does; otherwise fails it with the slot promised.</summary>
public sealed class EndpointRateLimitStrategy(EndpointRateLimit limit) : ResilienceStrategy<AttemptResult>
{
    protected override ValueTask<Outcome<AttemptResult>> ExecuteCore<TState>(
        Func<ResilienceContext, TState, ValueTask<Outcome<AttemptResult>>> callback, ResilienceContext context, TState state) =>
        limit.TryTake() is { } slotIn
            ? ValueTask.FromResult(Outcome.FromException<AttemptResult>(new EndpointRateLimitedException(slotIn)))
            : callback(context, state);
}
