namespace BotSystem.WebhookManager.Endpoints;

/// <summary>
/// The requests in flight to one endpoint, under a limit that follows how the endpoint answers: it starts small and
/// grows by one with every answer up to the configured maximum (slow start), and halves when a request gets no answer
/// (timeout, connection failure). So an endpoint that never answers holds a few requests, not the maximum.
/// A request over the limit waits for a free place only while the expected wait is short and the endpoint is
/// answering, or briefly for the first answer of a new endpoint; otherwise it is refused with the time a place may be
/// free, for the caller to postpone it.
/// </summary>
public sealed class EndpointConcurrency(EndpointOptions options, TimeSpan attemptTimeout, TimeProvider time)
{
    private const int InitialLimit = 4;
    private const double LatencySmoothing = 0.2;

    private readonly Lock _lock = new();
    private readonly LinkedList<long> _inFlightSince = new();
    private readonly LinkedList<TaskCompletionSource<LinkedListNode<long>>> _waiting = new();
    private int _limit = Math.Min(InitialLimit, options.MaxConcurrentRequests);
    private double _latencyMs = double.NaN;
    private long _lastProgress = time.GetTimestamp();

    /// <summary>The number of requests the endpoint may have in flight now.</summary>
    public int Limit
    {
        get
        {
            lock (_lock)
            {
                return _limit;
            }
        }
    }

    /// <summary>Whether no request is in flight or waiting for a place.</summary>
    public bool IsIdle
    {
        get
        {
            lock (_lock)
            {
                return _inFlightSince.Count == 0 && _waiting.Count == 0;
            }
        }
    }

    /// <summary>A place for one request, or null with the wait after which one may be free.</summary>
    public async ValueTask<(LinkedListNode<long>? Place, TimeSpan RetryAfter)> EnterAsync(CancellationToken ct)
    {
        TaskCompletionSource<LinkedListNode<long>> waiter;
        LinkedListNode<TaskCompletionSource<LinkedListNode<long>>> waiting;
        TimeSpan patience;
        lock (_lock)
        {
            var now = time.GetTimestamp();
            if (_inFlightSince.Count < _limit && _waiting.Count == 0)
            {
                return (Occupy(now), TimeSpan.Zero);
            }
            if (!MayWait(now, _waiting.Count + 1))
            {
                return (null, RetryAfter(now, _waiting.Count + 1));
            }
            waiter = new TaskCompletionSource<LinkedListNode<long>>(TaskCreationOptions.RunContinuationsAsynchronously);
            waiting = _waiting.AddLast(waiter);
            patience = double.IsNaN(_latencyMs) && options.MaxWaitForFirstAnswer < options.MaxWaitForPlace
                ? options.MaxWaitForFirstAnswer
                : options.MaxWaitForPlace;
        }
        try
        {
            return (await waiter.Task.WaitAsync(patience, time, ct).ConfigureAwait(false), TimeSpan.Zero);
        }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException)
        {
            TimeSpan retryAfter;
            lock (_lock)
            {
                if (!waiter.Task.IsCompletedSuccessfully)
                {
                    _waiting.Remove(waiting);
                }
                retryAfter = RetryAfter(time.GetTimestamp(), _waiting.Count + 1);
            }
            if (waiter.Task.IsCompletedSuccessfully)
            {
                // Granted just as the wait ran out: hand the place on.
                Leave(waiter.Task.Result, answered: null, TimeSpan.Zero);
            }
            if (e is OperationCanceledException)
            {
                throw;
            }
            return (null, retryAfter);
        }
    }

    /// <summary>
    /// Gives the place back. <paramref name="answered"/> is true when the endpoint answered (any status), false when
    /// it did not (timeout, connection failure), null when the request tells nothing about the endpoint.
    /// </summary>
    public void Leave(LinkedListNode<long> place, bool? answered, TimeSpan duration)
    {
        lock (_lock)
        {
            _inFlightSince.Remove(place);
            var now = time.GetTimestamp();
            if (answered == true)
            {
                _lastProgress = now;
                _latencyMs = double.IsNaN(_latencyMs)
                    ? duration.TotalMilliseconds
                    : _latencyMs + LatencySmoothing * (duration.TotalMilliseconds - _latencyMs);
                _limit = Math.Min(_limit + 1, options.MaxConcurrentRequests);
            }
            else if (answered == false)
            {
                _limit = Math.Max(_limit / 2, 1);
            }
            while (_inFlightSince.Count < _limit && _waiting.First is { } next)
            {
                _waiting.RemoveFirst();
                next.Value.SetResult(Occupy(now));
            }
        }
    }

    private LinkedListNode<long> Occupy(long now)
    {
        if (_inFlightSince.Count == 0)
        {
            // An idle endpoint owes no answer: the wait for one starts now.
            _lastProgress = now;
        }
        return _inFlightSince.AddLast(now);
    }

    // An endpoint that has owed an answer longer than a place may be waited for is stalled: nothing waits on it.
    private bool Stalled(long now) =>
        _inFlightSince.Count > 0 && time.GetElapsedTime(_lastProgress, now) > options.MaxWaitForPlace;

    private bool MayWait(long now, int position) =>
        !Stalled(now) && (double.IsNaN(_latencyMs) || ExpectedWait(position) <= options.MaxWaitForPlace);

    // While the limit is below the maximum, each answer frees a place and adds one, so a waiter at position p is
    // served by the limit it will have grown to, not by the one it sees now.
    private TimeSpan ExpectedWait(int position)
    {
        var limit = Math.Min(options.MaxConcurrentRequests, _limit + (position + 1) / 2);
        return TimeSpan.FromMilliseconds(Math.Ceiling((double)position / limit) * (double.IsNaN(_latencyMs) ? 0 : _latencyMs));
    }

    private TimeSpan RetryAfter(long now, int position)
    {
        if (Stalled(now) && _inFlightSince.First is { } oldest)
        {
            // A stalled endpoint frees its first place when its oldest request times out.
            var untilTimeout = attemptTimeout - time.GetElapsedTime(oldest.Value, now);
            return untilTimeout > options.MaxWaitForPlace ? untilTimeout : options.MaxWaitForPlace;
        }
        var expected = ExpectedWait(position);
        if (expected > TimeSpan.Zero)
        {
            return expected;
        }
        if (double.IsNaN(_latencyMs) && _inFlightSince.Count > 0)
        {
            // A new endpoint has answered or counts as stalled by then, so the delivery comes back to a known endpoint.
            var untilStalled = options.MaxWaitForPlace - time.GetElapsedTime(_lastProgress, now);
            return untilStalled > options.MaxWaitForFirstAnswer ? untilStalled : options.MaxWaitForFirstAnswer;
        }
        return options.MaxWaitForPlace;
    }
}
