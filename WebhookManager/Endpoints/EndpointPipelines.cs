using System.Collections.Concurrent;
using System.Threading.RateLimiting;
using BotSystem.WebhookManager.Delivery;
using Microsoft.Extensions.Options;
using Polly;
using Polly.CircuitBreaker;
using Polly.RateLimiting;
using Polly.Registry;

namespace BotSystem.WebhookManager.Endpoints;

/// <summary>
/// One resilience pipeline per endpoint (scheme + host + port): a cap on requests in flight that adapts to how the
/// endpoint answers, a rate limit and a circuit breaker. Only an endpoint that answers is waited for, and only
/// briefly: a request they refuse is postponed by the caller, so a slow or dead endpoint holds no worker that a
/// healthy one could use.
/// </summary>
public sealed class EndpointPipelines : IAsyncDisposable
{
    private readonly ResiliencePipelineRegistry<string> _registry = new();
    private readonly ConcurrentDictionary<string, CircuitBreakerStateProvider> _circuits = new();
    private readonly Lock _creating = new();
    private readonly EndpointOptions _options;
    private readonly TimeSpan _attemptTimeout;
    private readonly TimeProvider _time;
    private readonly ILogger<EndpointPipelines> _logger;

    public EndpointPipelines(IOptions<WebhookOptions> options, TimeProvider time, ILogger<EndpointPipelines> logger)
    {
        _options = options.Value.Endpoint;
        _attemptTimeout = options.Value.AttemptTimeout;
        _time = time;
        _logger = logger;
    }

    /// <summary>The circuit state of every endpoint this process has delivered to.</summary>
    public IReadOnlyDictionary<string, CircuitState> CircuitStates =>
        _circuits.ToDictionary(pair => pair.Key, pair => pair.Value.CircuitState);

    public ResiliencePipeline<AttemptResult> For(string endpoint)
    {
        if (_registry.TryGetPipeline<AttemptResult>(endpoint, out var pipeline))
        {
            return pipeline;
        }
        // The registry may run a factory twice under a race; a state provider can serve only one breaker.
        lock (_creating)
        {
            return _registry.GetOrAddPipeline<AttemptResult>(endpoint, (builder, context) => Build(endpoint, builder, context));
        }
    }

    private void Build(string endpoint, ResiliencePipelineBuilder<AttemptResult> builder, ConfigureBuilderContext<string> context)
    {
        var circuit = new CircuitBreakerStateProvider();
        _circuits[endpoint] = circuit;
        var rateLimiter = new TokenBucketRateLimiter(TokenBucket(_options.RateLimitPerSecond));
        context.OnPipelineDisposed(rateLimiter.Dispose);
        var concurrency = new EndpointConcurrency(_options, _attemptTimeout, _time);
        builder
            .AddStrategy(_ => new EndpointConcurrencyStrategy(concurrency), new EndpointConcurrencyStrategyOptions())
            .AddRateLimiter(rateLimiter)
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions<AttemptResult>
            {
                FailureRatio = _options.FailureRatio,
                SamplingDuration = _options.SamplingDuration,
                MinimumThroughput = _options.MinimumThroughput,
                BreakDuration = _options.BreakDuration,
                StateProvider = circuit,
                ShouldHandle = args => ValueTask.FromResult(
                    args.Outcome.Result is { Outcome: AttemptOutcome.Temporary } || args.Outcome.Exception is not null),
                OnOpened = args =>
                {
                    _logger.LogWarning("Circuit for {Endpoint} opened for {BreakDuration}", endpoint, args.BreakDuration);
                    return ValueTask.CompletedTask;
                },
                OnHalfOpened = _ =>
                {
                    _logger.LogInformation("Circuit for {Endpoint} half-open: one probe goes through", endpoint);
                    return ValueTask.CompletedTask;
                },
                OnClosed = _ =>
                {
                    _logger.LogInformation("Circuit for {Endpoint} closed", endpoint);
                    return ValueTask.CompletedTask;
                },
            });
    }

    public ValueTask DisposeAsync() => _registry.DisposeAsync();

    // Refilled ten times a second so a burst cannot take a whole second's budget at once.
    private static TokenBucketRateLimiterOptions TokenBucket(int perSecond) => perSecond >= 10
        ? new() { TokenLimit = perSecond / 10, TokensPerPeriod = perSecond / 10, ReplenishmentPeriod = TimeSpan.FromMilliseconds(100), QueueLimit = 0, AutoReplenishment = true }
        : new() { TokenLimit = 1, TokensPerPeriod = 1, ReplenishmentPeriod = TimeSpan.FromSeconds(1.0 / perSecond), QueueLimit = 0, AutoReplenishment = true };
}
