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

    /// <summary>The latency added to every answer.</summary>
    public TimeSpan Latency
    {
        get
        {
            lock (_lock)
            {
                return TimeSpan.FromMilliseconds(_settings.LatencyMs);
            }
        }
    }

    /// <summary>The status an injected failure answers this request with; null means answer normally.</summary>
    public int? Decide()
    {
        lock (_lock)
        {
            if (_remainingFailures > 0)
            {
                _remainingFailures--;
                return _settings.StatusCode;
            }
            if (time.GetUtcNow() < _failUntil || (_settings.FailRate > 0 && Random.Shared.NextDouble() < _settings.FailRate))
            {
                return _settings.StatusCode;
            }
            return null;
        }
    }
}
