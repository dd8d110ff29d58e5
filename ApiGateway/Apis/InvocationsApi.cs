using System.ComponentModel;
using BotSystem.ApiGateway.Admin;
using BotSystem.ApiGateway.Invocations;
using BotSystem.Contracts;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace BotSystem.ApiGateway.Apis;

public static class InvocationsApi
{
    public static WebApplication MapInvocationsApi(this WebApplication app)
    {
        var client = app.MapGroup("").AddEndpointFilter<ClientAuthenticationFilter>().WithTags("Invocations");
        client.MapPost("/invoke", InvokeAsync)
            .AcceptsJsonFields(InvokeRequest.Fields)
            .WithIdempotencyKey("the first request's job")
            .Produces<InvokeAccepted>(StatusCodes.Status202Accepted)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        client.MapGet("/job/{id}", GetJobAsync);
        client.MapDelete("/job/{id}", CancelJobAsync)
            .ProducesProblem(StatusCodes.Status409Conflict);

        app.MapGet("/stats", GetStatsAsync).AddEndpointFilter<AdminAuthorizationFilter>().WithTags("Admin");
        return app;
    }

    private static async Task<IResult> InvokeAsync(HttpContext context, InvocationService invocations, ClientDirectory clients, IOptions<GatewayOptions> options)
    {
        var clientId = (string)context.Items[ClientDirectory.ClientIdItem]!;
        var body = await JsonRequestBody.ReadAsync(context, options.Value);
        if (body.Problem is not null)
        {
            return body.Problem;
        }
        var errors = new Dictionary<string, string[]>();
        var idempotencyKey = IdempotencyKeyHeader.Read(context, errors);
        var claim = idempotencyKey is null ? null : new RequestClaim(IdempotencyClaim.Key(clientId, idempotencyKey), options.Value.IdempotencyWindow);
        // A repeat of an accepted request is answered as it was, whatever checking its body again would say now (its
        // webhook's host resolving no more, limits changed since): its client must not take its job for refused.
        if (claim is not null && await invocations.AcceptedRepeatOfAsync(claim, body.Bytes) is { } repeated)
        {
            return Accepted(repeated);
        }
        var request = InvokeRequest.Parse(body.Json, options.Value, errors);
        if (request is not null)
        {
            await WebhookUrlPolicy.CheckAsync(request, clientId, clients, errors, context.RequestAborted);
        }
        if (request is null || errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var (outcome, jobId) = await invocations.SubmitAsync(clientId, request, claim, body.Bytes);
        if (outcome == InvocationService.Submission.Conflict)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "This Idempotency-Key was used with a different request body.");
        }
        return Accepted(jobId!);
    }

    private static IResult Accepted(string jobId) => TypedResults.Accepted($"/job/{jobId}", new InvokeAccepted(jobId, "queued", $"/job/{jobId}"));

    private static async Task<Results<Ok<InvocationView>, NotFound>> GetJobAsync(string id, HttpContext context, InvocationService invocations) =>
        await invocations.GetAsync((string)context.Items[ClientDirectory.ClientIdItem]!, id) is { } job ? TypedResults.Ok(job) : TypedResults.NotFound();

    private static async Task<Results<Ok<InvocationView>, NotFound, ProblemHttpResult>> CancelJobAsync(string id, HttpContext context, InvocationService invocations)
    {
        var clientId = (string)context.Items[ClientDirectory.ClientIdItem]!;
        return await invocations.CancelAsync(clientId, id) switch
        {
            InvocationService.Cancellation.NotFound => TypedResults.NotFound(),
            InvocationService.Cancellation.AlreadyFinished => TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "The job has already finished."),
            _ => await invocations.GetAsync(clientId, id) is { } job ? TypedResults.Ok(job) : TypedResults.NotFound(),
        };
    }

    private static async Task<Ok<SystemStats>> GetStatsAsync(AdminQueues queues, SystemOverview overview, WebhookManagerClient webhooks, CancellationToken ct)
    {
        var queueCounts = new Dictionary<string, IReadOnlyDictionary<string, long>>();
        foreach (var queue in queues.All)
        {
            var counts = await queue.GetJobCountsAsync(ct, [.. AdminStates.Listed]);
            queueCounts[queue.Name] = counts.ToDictionary(c => AdminStates.Name(c.Key), c => c.Value);
        }
        return TypedResults.Ok(new SystemStats(queueCounts, await overview.GetSemaphoresAsync(ct), await overview.GetWorkersAsync(ct),
            await webhooks.GetStatsAsync(ct)));
    }
}

public sealed record InvokeAccepted(string JobId, string Status, string StatusUrl);

/// <summary>The system at a glance for an operator: <c>GET /stats</c>.</summary>
public sealed record SystemStats(
    [property: Description("Jobs per state of each queue.")]
    IReadOnlyDictionary<string, IReadOnlyDictionary<string, long>> Queues,
    [property: Description("Permits of each bot type: the limit, held and waited for.")]
    IReadOnlyDictionary<string, SemaphoreView> Semaphores,
    IReadOnlyList<WorkerView> Workers,
    [property: Description("The webhook manager's figures; null while it cannot be asked, the rest being read from Redis.")]
    WebhookStats? Webhooks);
