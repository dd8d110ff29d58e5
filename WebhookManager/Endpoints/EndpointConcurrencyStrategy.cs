using BotSystem.WebhookManager.Delivery;
using Polly;
using Polly.RateLimiting;

namespace BotSystem.WebhookManager.Endpoints;

/// <summary>
/// Lets a request through only with a place in its endpoint's <see cref="EndpointConcurrency"/>, and tells it how
/// the endpoint answered; a request without a place fails with a <see cref="RateLimiterRejectedException"/>.
/// </summary>
public sealed class EndpointConcurrencyStrategy(EndpointConcurrency concurrency) : ResilienceStrategy<AttemptResult>
{
    protected override async ValueTask<Outcome<AttemptResult>> ExecuteCore<TState>(
        Func<ResilienceContext, TState, ValueTask<Outcome<AttemptResult>>> callback, ResilienceContext context, TState state)
    {
        var (place, retryAfter) = await concurrency.EnterAsync(context.CancellationToken).ConfigureAwait(context.ContinueOnCapturedContext);
        if (place is null)
        {
            return Outcome.FromException<AttemptResult>(new RateLimiterRejectedException(retryAfter));
        }
        Outcome<AttemptResult> outcome = default;
        try
        {
            outcome = await callback(context, state).ConfigureAwait(context.ContinueOnCapturedContext);
            return outcome;
        }
        finally
        {
            concurrency.Leave(place, Answered(outcome.Result), outcome.Result?.Duration ?? TimeSpan.Zero);
        }
    }

    private static bool? Answered(AttemptResult? result) => result switch
    {
        { StatusCode: not null } => true,
        { Outcome: AttemptOutcome.Temporary } => false,
        _ => null,
    };
}
