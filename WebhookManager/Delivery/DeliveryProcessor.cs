using System.Diagnostics;
using System.Runtime.ExceptionServices;
using System.Text.Json;
using BotSystem.Contracts;
using BotSystem.JobEngine;
using BotSystem.WebhookManager.Endpoints;
using Polly;
using Polly.CircuitBreaker;
using Polly.RateLimiting;

namespace BotSystem.WebhookManager.Delivery;

/// <summary>
/// Processes one job of the <c>webhooks</c> queue: one attempt of one delivery. Every job names the attempt it
/// makes, and the attempt count in Redis says whether it was made already, so a job run twice after a crash
/// neither sends twice nor loses the follow-up.
/// </summary>
public sealed class DeliveryProcessor(
    DeliveryStore store,
    DisabledEndpoints disabled,
    EndpointPipelines pipelines,
    WebhookSender sender,
    WebhookClients clients,
    RetrySchedule schedule,
    DeliveryQueue queue,
    WebhookMetrics metrics,
    TimeProvider time,
    ILogger<DeliveryProcessor> logger)
{

    /// <summary>
    /// Processes the job, and again while Redis is out (restarting, failing over, stalled) for as long as the job's
    /// lock holds: a job failed by an outage would never be attempted, or stay pending for good. A request already made
    /// has its outcome recorded where it was made, so a repeat here never sends the same attempt twice.
    /// </summary>
    public Task<object?> ProcessAsync(ActiveJob active, CancellationToken ct) =>
        WaitingOutOutagesAsync(() => ProcessOnceAsync(active, ct), active.Job.Id, ct);

    private Task<T> WaitingOutOutagesAsync<T>(Func<Task<T>> step, string jobId, CancellationToken ct) =>
        RedisOutage.WaitOutAsync(step, ex => logger.LogWarning("Webhook job {JobId} waits for Redis: {Message}", jobId, ex.Message), ct);

    private async Task<object?> ProcessOnceAsync(ActiveJob active, CancellationToken ct)
    {
        var job = active.Job;
        var traceParent = job.Options.TelemetryMetadata;
        // Under the queue's consumer span, which already continues the trace of the job's producer.
        using var activity = BotSystemTelemetry.ActivitySource.StartActivity("webhook deliver");

        DeliveryAttemptJob attempt;
        DeliveryRecord? delivery;
        bool? endpointDisabled = null;
        if (job.Name == DeliveryAttemptJob.JobName)
        {
            attempt = active.ReadData<DeliveryAttemptJob>(JsonSerializerOptions.Web);
            delivery = await store.GetAsync(attempt.DeliveryId);
            if (delivery is null)
            {
                logger.LogWarning("Job {JobId} names delivery {DeliveryId}, which does not exist", job.Id, attempt.DeliveryId);
                return "unknown delivery";
            }
        }
        else
        {
            var data = active.ReadData<WebhookDeliveryJobData>(JsonSerializerOptions.Web);
            var endpoint = EndpointOf(data.Url) ?? "";
            // Sent together, so a new delivery costs one round trip before its request.
            var opening = store.OpenAsync(data, endpoint, job.Timestamp);
            var checkingDisabled = disabled.IsDisabledAsync(endpoint, data.ClientId);
            delivery = await opening;
            endpointDisabled = await checkingDisabled;
            attempt = new DeliveryAttemptJob(delivery.Id, Round: 1, Attempt: 1);
        }
        activity?.SetTag("webhook.id", delivery.Id);
        activity?.SetTag("webhook.attempt", attempt.Attempt);
        return await AttemptAsync(active, delivery, attempt, endpointDisabled, traceParent, ct);
    }

    /// <summary>
    /// <c>scheme://host:port</c> of a webhook URL, or null when it is no absolute http(s) URL. An IPv6 host keeps its
    /// brackets, so the endpoint as listed is itself a URL the admin API takes back.
    /// </summary>
    public static string? EndpointOf(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
            ? $"{uri.Scheme}://{(uri.HostNameType == UriHostNameType.IPv6 ? $"[{uri.IdnHost}]" : uri.IdnHost)}:{uri.Port}".ToLowerInvariant()
            : null;

    private async Task<string> AttemptAsync(ActiveJob active, DeliveryRecord delivery, DeliveryAttemptJob attempt, bool? endpointDisabled,
        string? traceParent, CancellationToken ct)
    {
        if (delivery.Round != attempt.Round || delivery.Status is DeliveryStatus.Delivered or DeliveryStatus.Dead)
        {
            return "nothing to do: " + delivery.Status;
        }
        if (delivery.Attempts == attempt.Attempt)
        {
            // Made before this process died; only its follow-up may be missing.
            if (delivery is { Status: DeliveryStatus.Retrying, NextAttemptAt: { } next })
            {
                await queue.EnqueueAsync(attempt with { Attempt = attempt.Attempt + 1 }, next - time.GetUtcNow(), traceParent);
            }
            return "already attempted";
        }
        if (delivery.Attempts + 1 != attempt.Attempt)
        {
            return "stale attempt";
        }

        if (string.IsNullOrEmpty(delivery.Endpoint))
        {
            return await DieAsync(delivery, $"'{delivery.Url}' is not an absolute http or https URL.");
        }
        if (endpointDisabled ?? await disabled.IsDisabledAsync(delivery.Endpoint, delivery.ClientId))
        {
            return await DieAsync(delivery, $"{delivery.Endpoint} answered 410 Gone and is disabled for client {delivery.ClientId}; enable it with POST /endpoints/{{endpoint}}/enable.");
        }
        var secrets = clients.SecretsOf(delivery.ClientId);
        if (secrets.Count == 0)
        {
            return await DieAsync(delivery, $"No webhook secret is configured for client {delivery.ClientId} (Clients:{delivery.ClientId}:WebhookSecrets).");
        }

        // Refusals come back as outcomes, not exceptions: under load many deliveries to a stalled endpoint are refused.
        var context = ResilienceContextPool.Shared.Get(ct);
        Outcome<AttemptResult> outcome;
        try
        {
            outcome = await pipelines.For(delivery.Endpoint).ExecuteOutcomeAsync(
                static async (context, state) =>
                {
                    try
                    {
                        return Outcome.FromResult(await state.sender.SendAsync(state.delivery, state.secrets, context.CancellationToken));
                    }
                    catch (Exception e)
                    {
                        return Outcome.FromException<AttemptResult>(e);
                    }
                },
                context, (sender, delivery, secrets));
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
        switch (outcome.Exception)
        {
            case BrokenCircuitException open:
                return await PostponeAsync(active, delivery, Postponement(active, open.RetryAfter), WebhookMetrics.HeldBackBy.CircuitOpen, ct);
            case RateLimiterRejectedException busy:
                return await PostponeAsync(active, delivery, Postponement(active, busy.RetryAfter), WebhookMetrics.HeldBackBy.EndpointBusy, ct);
            case EndpointRateLimitedException limited:
                return await PostponeAsync(active, delivery, limited.SlotIn, WebhookMetrics.HeldBackBy.RateLimited, ct);
            case { } error:
                ExceptionDispatchInfo.Throw(error);
                break;
        }
        // The request was made: its outcome is recorded once Redis answers, rather than the job processed again, which
        // would send it again.
        var result = outcome.Result!;
        return await WaitingOutOutagesAsync(() => RecordAsync(delivery, attempt, result, traceParent), active.Job.Id, ct);
    }

    private async Task<string> RecordAsync(DeliveryRecord delivery, DeliveryAttemptJob attempt, AttemptResult result, string? traceParent)
    {
        var attemptsInRound = attempt.Attempt - delivery.RoundStartAttempts;
        var (status, delay, deadReason) = result.Outcome switch
        {
            AttemptOutcome.Delivered => (DeliveryStatus.Delivered, (TimeSpan?)null, (string?)null),
            AttemptOutcome.Permanent => (DeliveryStatus.Dead, null, "Permanent failure: " + result.Error),
            _ when schedule.MayRetry(attemptsInRound) => (DeliveryStatus.Retrying, schedule.DelayBefore(attemptsInRound, result.RetryAfter), null),
            _ => (DeliveryStatus.Dead, null, $"Retries exhausted after {attemptsInRound} attempts; last: {result.Error}"),
        };
        if (result.StatusCode == StatusCodes.Status410Gone)
        {
            await disabled.DisableAsync(delivery.Endpoint, delivery.ClientId);
            logger.LogWarning("{Endpoint} answered 410 Gone; disabled for client {ClientId}", delivery.Endpoint, delivery.ClientId);
        }

        var nextAttemptAt = delay is { } wait ? time.GetUtcNow() + wait : (DateTimeOffset?)null;
        var recorded = await store.RecordAttemptAsync(delivery, new AttemptRecord
        {
            Attempt = attempt.Attempt,
            Round = attempt.Round,
            At = result.StartedAt,
            StatusCode = result.StatusCode,
            Error = result.Error,
            DurationMs = Math.Round(result.Duration.TotalMilliseconds, 1),
            Outcome = result.Outcome.ToString().ToLowerInvariant(),
        }, status, nextAttemptAt, deadReason);
        if (recorded)
        {
            metrics.Attempted(status, result.Duration);
        }

        if (delay is { } retryDelay)
        {
            await queue.EnqueueAsync(attempt with { Attempt = attempt.Attempt + 1 }, retryDelay, traceParent);
            logger.LogInformation("Delivery {DeliveryId} attempt {Attempt} failed ({Error}); retry in {Delay}", delivery.Id, attempt.Attempt, result.Error, retryDelay);
        }
        else if (status == DeliveryStatus.Dead)
        {
            metrics.DeadLetters(await store.CountDeadAsync());
            logger.LogWarning("Delivery {DeliveryId} is dead: {Reason}", delivery.Id, deadReason);
        }
        return status;
    }

    // The job itself waits in delayed, so a postponement adds no job; each activation after the first was one.
    private TimeSpan Postponement(ActiveJob active, TimeSpan? suggested) => schedule.Postponement(suggested, Math.Max(0, active.Job.AttemptsStarted - 1));

    private async Task<string> PostponeAsync(ActiveJob active, DeliveryRecord delivery, TimeSpan delay, string reason, CancellationToken ct)
    {
        await Task.WhenAll(
            store.MarkPostponedAsync(delivery, time.GetUtcNow() + delay),
            active.MoveToDelayedAsync(delay, ct));
        metrics.Postponed(reason);
        return $"postponed ({reason})";
    }

    private async Task<string> DieAsync(DeliveryRecord delivery, string reason)
    {
        await store.MarkDeadAsync(delivery, reason);
        metrics.DeadLetters(await store.CountDeadAsync());
        logger.LogWarning("Delivery {DeliveryId} is dead: {Reason}", delivery.Id, reason);
        return DeliveryStatus.Dead;
    }
}
