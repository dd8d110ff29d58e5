namespace BotSystem.WebhookManager.Endpoints;

/// <summary>
/// An endpoint's rate limit as a timetable (a generic cell rate algorithm): each request goes one interval after the
/// last, give or take a burst of a tenth of a second's worth. A request that may not go yet is promised a slot of its
/// own, after the slots already promised, and its delivery is postponed to it: a backlog comes back at the pace the
/// limit lets it through, each delivery about once, not all of it every few hundred milliseconds to be refused again.
/// </summary>
public sealed class EndpointRateLimit
{
    private readonly TimeProvider _time;
    private readonly long _interval;
    // How far ahead of its time a request may go: the burst, and at least one interval, so that a delivery returning
    // a little late to its slot does not push the timetable back and cost the next one its slot.
    private readonly long _tolerance;
    private readonly Lock _gate = new();
    private long _nextFree;
    private long _lastPromised;

    public EndpointRateLimit(int perSecond, TimeProvider time)
    {
        _time = time;
        _interval = Math.Max(1, time.TimestampFrequency / perSecond);
        _tolerance = Math.Max(1, perSecond / 10) * _interval;
        _nextFree = time.GetTimestamp();
    }

    /// <summary>Null when a request may go now (and it is counted); otherwise how long until the slot promised to it.</summary>
    public TimeSpan? TryTake()
    {
        lock (_gate)
        {
            var now = _time.GetTimestamp();
            var due = Math.Max(_nextFree, now);
            if (due - now <= _tolerance)
            {
                _nextFree = due + _interval;
                return null;
            }
            _lastPromised = Math.Max(_lastPromised + _interval, due - _tolerance);
            return _time.GetElapsedTime(now, _lastPromised);
        }
    }
}
