using System.Text.Json.Nodes;
using BotSystem.ApiGateway.Invocations;
using BotSystem.ApiGateway.Triggers;
using BotSystem.Contracts;
using Microsoft.Extensions.Options;

namespace BotSystem.ApiGateway.Apis;

public static class TriggersApi
{
    // Longer than a timestamp passes the tolerance check, so a replay is refused by one or the other.
    private static readonly TimeSpan ReplayMemory = StandardWebhooks.DefaultTolerance * 2;

    public static WebApplication MapTriggersApi(this WebApplication app)
    {
        app.MapPost("/hooks/{triggerId}", TriggerAsync)
            .WithoutApiKey()
            .WithTags("Triggers")
            .Produces<InvokeAccepted>(StatusCodes.Status202Accepted)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        return app;
    }

    /// <summary>A signed request from another system: its body becomes the payload of the trigger's bot.</summary>
    private static async Task<IResult> TriggerAsync(string triggerId, HttpContext context, ClientDirectory clients, ClientRateLimiter rateLimiter,
        InvocationService invocations, IOptions<GatewayOptions> options, TimeProvider clock)
    {
        if (clients.FindTrigger(triggerId) is not var (clientId, trigger))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: $"There is no trigger '{triggerId}'.");
        }
        var body = await JsonRequestBody.ReadAsync(context, options.Value);
        if (body.Problem is not null)
        {
            return body.Problem;
        }
        if (TriggerSignature.Refusal(trigger, context.Request.Headers, body.Bytes, clock.GetUtcNow()) is { } refusal)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "The request is not signed by this trigger's secret.", detail: refusal);
        }
        if (rateLimiter.TryAcquire(clientId, context.Request.Method) is { } retryAfter)
        {
            return ClientAuthenticationFilter.TooManyRequests(context, clientId, retryAfter);
        }
        if (body.Json is not JsonObject payload)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["body"] = ["Must be a JSON object; it becomes the bot's payload."] });
        }

        var request = new InvokeRequest(trigger.BotType, trigger.Bot ?? BotCatalog.DefaultBot(trigger.BotType), payload, trigger.WebhookUrl,
            trigger.Priority, trigger.TimeoutSeconds ?? options.Value.DefaultTimeoutSeconds, OrderingKey: null);
        // A webhook-id counts as received once its invocation is added: a sender that got a 429 or a 503 retries with it.
        var claim = context.Request.Headers[StandardWebhooks.IdHeader].FirstOrDefault() is { Length: > 0 } messageId
            ? new RequestClaim(IdempotencyClaim.TriggerKey(triggerId, messageId), ReplayMemory)
            : null;
        var (outcome, jobId) = await invocations.SubmitAsync(clientId, request, claim, body.Bytes);
        if (outcome != InvocationService.Submission.Accepted)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "This webhook-id was already received.");
        }
        return TypedResults.Accepted($"/job/{jobId}", new InvokeAccepted(jobId!, InvocationStatus.Queued, $"/job/{jobId}"));
    }
}
