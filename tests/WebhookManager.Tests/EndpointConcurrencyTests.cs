using BotSystem.WebhookManager;
using BotSystem.WebhookManager.Endpoints;

namespace WebhookManager.Tests;

public sealed class EndpointConcurrencyTests
{
    private static readonly TimeSpan AttemptTimeout = TimeSpan.FromSeconds(10);

    private static EndpointConcurrency Concurrency(int max = 64, double maxWaitSeconds = 0.2, double firstAnswerWaitSeconds = 0.1) =>
        new(new EndpointOptions
        {
            MaxConcurrentRequests = max,
            MaxWaitForPlace = TimeSpan.FromSeconds(maxWaitSeconds),
            MaxWaitForFirstAnswer = TimeSpan.FromSeconds(firstAnswerWaitSeconds),
        }, AttemptTimeout, TimeProvider.System);

    [Fact]
    public async Task A_new_endpoint_gets_four_requests_and_one_more_with_each_answer_up_to_the_maximum()
    {
        var concurrency = Concurrency(max: 6);
        Assert.Equal(4, concurrency.Limit);

        for (var i = 0; i < 5; i++)
        {
            var (place, _) = await concurrency.EnterAsync(CancellationToken.None);
            concurrency.Leave(place!, answered: true, TimeSpan.FromMilliseconds(1));
        }

        Assert.Equal(6, concurrency.Limit);
    }

    [Fact]
    public async Task Each_request_without_an_answer_halves_the_limit_down_to_one()
    {
        var concurrency = Concurrency(max: 6);
        var places = new List<LinkedListNode<long>>();
        for (var i = 0; i < 4; i++)
        {
            places.Add((await concurrency.EnterAsync(CancellationToken.None)).Place!);
        }

        concurrency.Leave(places[0], answered: false, AttemptTimeout);
        Assert.Equal(2, concurrency.Limit);
        concurrency.Leave(places[1], answered: false, AttemptTimeout);
        concurrency.Leave(places[2], answered: false, AttemptTimeout);
        Assert.Equal(1, concurrency.Limit);
        concurrency.Leave(places[3], answered: null, TimeSpan.Zero);
        Assert.Equal(1, concurrency.Limit);
    }

    [Fact]
    public async Task A_request_over_the_limit_of_an_answering_endpoint_waits_for_the_next_free_place()
    {
        var concurrency = Concurrency(maxWaitSeconds: 10);
        var (first, _) = await concurrency.EnterAsync(CancellationToken.None);
        concurrency.Leave(first!, answered: true, TimeSpan.FromMilliseconds(5));
        var places = new List<LinkedListNode<long>>();
        while (places.Count < concurrency.Limit)
        {
            places.Add((await concurrency.EnterAsync(CancellationToken.None)).Place!);
        }

        var waiting = concurrency.EnterAsync(CancellationToken.None).AsTask();
        Assert.False(waiting.IsCompleted);
        concurrency.Leave(places[0], answered: true, TimeSpan.FromMilliseconds(5));

        var (place, _) = await waiting.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.NotNull(place);
    }

    [Fact]
    public async Task A_burst_to_a_new_endpoint_waits_for_its_first_answers_instead_of_being_refused()
    {
        var concurrency = Concurrency(max: 8, maxWaitSeconds: 10, firstAnswerWaitSeconds: 5);
        await EnterAllAndAnswerAsync(concurrency, requests: 40, answerTime: TimeSpan.FromMilliseconds(1), waitForEach: TimeSpan.FromSeconds(5));

        Assert.Equal(8, concurrency.Limit);
    }

    [Fact]
    public async Task A_burst_to_an_answering_endpoint_in_slow_start_waits_for_the_places_its_answers_add()
    {
        var concurrency = Concurrency(max: 64, maxWaitSeconds: 5);
        var (first, _) = await concurrency.EnterAsync(CancellationToken.None);
        concurrency.Leave(first!, answered: true, TimeSpan.FromMilliseconds(500));

        // At five places and 500 ms an answer, the 95th in line would wait 9.5 s if the limit did not grow.
        await EnterAllAndAnswerAsync(concurrency, requests: 100, answerTime: TimeSpan.FromMilliseconds(500), waitForEach: TimeSpan.FromSeconds(10));

        Assert.Equal(64, concurrency.Limit);
    }

    /// <summary>Sends a burst of requests at once, and answers each as soon as it gets a place, in arrival order.</summary>
    private static async Task EnterAllAndAnswerAsync(EndpointConcurrency concurrency, int requests, TimeSpan answerTime, TimeSpan waitForEach)
    {
        var entering = Enumerable.Range(0, requests).Select(_ => concurrency.EnterAsync(CancellationToken.None).AsTask()).ToList();
        foreach (var request in entering)
        {
            var (place, _) = await request.WaitAsync(waitForEach);
            Assert.NotNull(place);
            concurrency.Leave(place, answered: true, answerTime);
        }
    }

    [Fact]
    public async Task A_new_endpoint_that_does_not_answer_is_waited_for_only_as_long_as_a_first_answer_may_take()
    {
        var concurrency = Concurrency(maxWaitSeconds: 10, firstAnswerWaitSeconds: 0.05);
        for (var i = 0; i < 4; i++)
        {
            Assert.NotNull((await concurrency.EnterAsync(CancellationToken.None)).Place);
        }

        var waited = System.Diagnostics.Stopwatch.StartNew();
        var (place, retryAfter) = await concurrency.EnterAsync(CancellationToken.None);

        Assert.Null(place);
        Assert.InRange(waited.Elapsed, TimeSpan.FromMilliseconds(40), TimeSpan.FromSeconds(5));
        Assert.True(retryAfter > TimeSpan.Zero);
    }

    [Fact]
    public async Task A_stalled_endpoint_refuses_at_once_with_the_time_its_oldest_request_times_out()
    {
        var concurrency = Concurrency(maxWaitSeconds: 0.1, firstAnswerWaitSeconds: 0.05);
        var sinceFirst = System.Diagnostics.Stopwatch.StartNew();
        for (var i = 0; i < 4; i++)
        {
            Assert.NotNull((await concurrency.EnterAsync(CancellationToken.None)).Place);
        }

        // The fifth may wait while the endpoint is new, but not past the wait for a first answer.
        var (early, _) = await concurrency.EnterAsync(CancellationToken.None);
        Assert.Null(early);
        // Then the endpoint owes its first answer longer than a place may be waited for.
        await Task.Delay(TimeSpan.FromMilliseconds(120));

        var refusing = concurrency.EnterAsync(CancellationToken.None);
        Assert.True(refusing.IsCompleted, "a stalled endpoint is not waited for");
        var (refused, retryAfter) = await refusing;
        Assert.Null(refused);
        Assert.InRange(retryAfter, AttemptTimeout - sinceFirst.Elapsed, AttemptTimeout);
    }
}
