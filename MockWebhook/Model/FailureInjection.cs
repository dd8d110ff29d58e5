namespace BotSystem.MockWebhook.Model;

/// <summary>The failure settings in force, and the decision for each incoming request.</summary>
public sealed class FailureInjection(TimeProvider time)
{
    private readonly Lock _lock = new();
    private FailureSettings _settings = new();
    private int _remainingFailures;
    private DateTimeOffset _failUntil = DateTimeOffset.MinValue;

    public FailureSettings Settings
    {
        get
        {
            lock (_lock)
            {
                return _settings with { FailNext = _remainingFailures };
            }
        }
    }

    public void Apply(FailureSettings settings)
    {
        lock (_lock)
        {
            _settings = settings;
            _remainingFailures = settings.FailNext;
            _failUntil = settings.FailForSeconds > 0 ? time.GetUtcNow().AddSeconds(settings.FailForSeconds) : DateTimeOffset.MinValue;
        }
    }

    /// <summary>The status an injected failure answers with and the added latency; no status means answer normally.</summary>
    public (int? FailureStatus, TimeSpan Latency) Decide()
    {
        lock (_lock)
        {
            var latency = TimeSpan.FromMilliseconds(_settings.LatencyMs);
            if (_remainingFailures > 0)
            {
                _remainingFailures--;
                return (_settings.StatusCode, latency);
            }
            if (time.GetUtcNow() < _failUntil || (_settings.FailRate > 0 && Random.Shared.NextDouble() < _settings.FailRate))
            {
                return (_settings.StatusCode, latency);
            }
            return (null, latency);
        }
    }
}
