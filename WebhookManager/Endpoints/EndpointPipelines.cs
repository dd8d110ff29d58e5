using System.Collections.Concurrent;
using BotSystem.WebhookManager.Delivery;
using Microsoft.Extensions.Options;
using Polly;
using Polly.CircuitBreaker;

namespace BotSystem.WebhookManager.Endpoints;

/// <summary>
/// One resilience pipeline per endpoint (scheme + host + port): a cap on requests in flight that adapts to how the
/// endpoint answers, a rate limit and a circuit breaker. Only an endpoint that answers is waited for, and only
/// briefly: a request they refuse is postponed by the caller, so a slow or dead endpoint holds no worker that a
/// healthy one could use. An endpoint idle for <see cref="EndpointOptions.ForgetAfterIdle"/> with its circuit closed,
/// or open past its break, is forgotten, so endpoints of long ago hold no memory or metric series.
/// </summary>
public sealed class EndpointPipelines : IDisposable
{
    private readonly ConcurrentDictionary<string, Lazy<Endpoint>> _endpoints = new();
    private readonly EndpointOptions _options;
    private readonly TimeSpan _attemptTimeout;
    private readonly TimeProvider _time;
    private readonly ILogger<EndpointPipelines> _logger;
    private readonly ITimer _sweep;

    public EndpointPipelines(IOptions<WebhookOptions> options, TimeProvider time, ILogger<EndpointPipelines> logger)
    {
        _options = options.Value.Endpoint;
        _attemptTimeout = options.Value.AttemptTimeout;
        _time = time;
        _logger = logger;
        _sweep = time.CreateTimer(_ => ForgetIdle(), null, _options.ForgetAfterIdle, _options.ForgetAfterIdle);
    }

    /// <summary>The circuit state of every endpoint this process delivered to lately.</summary>
    public IReadOnlyDictionary<string, CircuitState> CircuitStates =>
        _endpoints.Where(pair => pair.Value.IsValueCreated).ToDictionary(pair => pair.Key, pair => pair.Value.Value.Circuit.CircuitState);

    public ResiliencePipeline<AttemptResult> For(string endpoint)
    {
        var state = _endpoints.GetOrAdd(endpoint, key => new Lazy<Endpoint>(() => Build(key))).Value;
        state.LastUsed = _time.GetTimestamp();
        return state.Pipeline;
    }

    public void Dispose() => _sweep.Dispose();

    private void ForgetIdle()
    {
        foreach (var (key, lazy) in _endpoints)
        {
            if (lazy.IsValueCreated && lazy.Value is var endpoint
                && _time.GetElapsedTime(endpoint.LastUsed) >= _options.ForgetAfterIdle
                && IsSettled(endpoint) && endpoint.Concurrency.IsIdle)
            {
                _endpoints.TryRemove(new KeyValuePair<string, Lazy<Endpoint>>(key, lazy));
            }
        }
    }

    // An open circuit changes only when a delivery comes: one the last deliveries of a failing endpoint left open would
    // stay open for good, shown (and alerted on) as holding deliveries back. Past its break the next delivery is let
    // through as a probe anyway, so there is nothing left to remember.
    private bool IsSettled(Endpoint endpoint) => endpoint.Circuit.CircuitState switch
    {
        CircuitState.Closed => true,
        CircuitState.Open => _time.GetElapsedTime(endpoint.OpenedAt) >= _options.BreakDuration,
        _ => false,
    };

    private Endpoint Build(string endpoint) =>
        new(new EndpointConcurrency(_options, _attemptTimeout, _time), state => BuildPipeline(endpoint, state)) { LastUsed = _time.GetTimestamp() };

    private ResiliencePipeline<AttemptResult> BuildPipeline(string endpoint, Endpoint state) =>
        new ResiliencePipelineBuilder<AttemptResult> { TimeProvider = _time }
            .AddStrategy(_ => new EndpointConcurrencyStrategy(state.Concurrency), new EndpointStrategyOptions("EndpointConcurrency"))
            // The rate limit is taken after the place in flight, right before the request goes, so the sends keep to it;
            // taken first, a request could then wait for a place and go out in a bunch with others.
            .AddStrategy(_ => new EndpointRateLimitStrategy(new EndpointRateLimit(_options.RateLimitPerSecond, _time)), new EndpointStrategyOptions("EndpointRateLimit"))
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions<AttemptResult>
            {
                FailureRatio = _options.FailureRatio,
                SamplingDuration = _options.SamplingDuration,
                MinimumThroughput = _options.MinimumThroughput,
                BreakDuration = _options.BreakDuration,
                StateProvider = state.Circuit,
                ShouldHandle = args => ValueTask.FromResult(
                    args.Outcome.Result is { Outcome: AttemptOutcome.Temporary } || args.Outcome.Exception is not null),
                OnOpened = args =>
                {
                    state.OpenedAt = _time.GetTimestamp();
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
            })
            .Build();

    private sealed class Endpoint
    {
        private long _lastUsed;
        private long _openedAt;

        public Endpoint(EndpointConcurrency concurrency, Func<Endpoint, ResiliencePipeline<AttemptResult>> buildPipeline)
        {
            Concurrency = concurrency;
            Pipeline = buildPipeline(this);
        }

        public ResiliencePipeline<AttemptResult> Pipeline { get; }

        public CircuitBreakerStateProvider Circuit { get; } = new();

        public EndpointConcurrency Concurrency { get; }

        public long LastUsed
        {
            get => Volatile.Read(ref _lastUsed);
            set => Volatile.Write(ref _lastUsed, value);
        }

        /// <summary>When the circuit last opened.</summary>
        public long OpenedAt
        {
            get => Volatile.Read(ref _openedAt);
            set => Volatile.Write(ref _openedAt, value);
        }
    }
}
