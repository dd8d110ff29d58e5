using BotSystem.ApiGateway.Invocations;
using BotSystem.ApiGateway.Schedules;
using BotSystem.Contracts;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace BotSystem.ApiGateway.Apis;

public static class SchedulesApi
{
    public static WebApplication MapSchedulesApi(this WebApplication app)
    {
        var schedules = app.MapGroup("/schedules").AddEndpointFilter<ClientOrAdminFilter>().WithTags("Schedules");
        schedules.MapPost("", CreateAsync)
            .AcceptsJsonFields(ScheduleRequest.Fields)
            .WithIdempotencyKey("the schedule the first request created")
            .Produces<ScheduleView>(StatusCodes.Status201Created)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge);
        schedules.MapGet("", ListAsync);
        schedules.MapGet("/{id}", GetAsync);
        schedules.MapDelete("/{id}", DeleteAsync);
        return app;
    }

    private static async Task<IResult> CreateAsync(HttpContext context, ScheduleService schedules, ClientDirectory clients, IOptions<GatewayOptions> options)
    {
        if (ClientOrAdminFilter.ClientOf(context) is not { } clientId)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "A schedule runs on behalf of a client: create it with the client's API key.");
        }
        var body = await JsonRequestBody.ReadAsync(context, options.Value);
        if (body.Problem is not null)
        {
            return body.Problem;
        }
        var errors = new Dictionary<string, string[]>();
        var idempotencyKey = IdempotencyKeyHeader.Read(context, errors);
        var claim = idempotencyKey is null ? null : new RequestClaim(IdempotencyClaim.ScheduleKey(clientId, idempotencyKey), options.Value.IdempotencyWindow);
        // A repeat of a completed request is answered with its schedule, whatever checking its body again would say now.
        if (claim is not null && await schedules.CreatedRepeatOfAsync(clientId, claim, body.Bytes) is { } created)
        {
            return TypedResults.Created($"/schedules/{created.ScheduleId}", created);
        }
        var request = ScheduleRequest.Parse(body.Json, options.Value, errors);
        if (request is not null)
        {
            await WebhookUrlPolicy.CheckAsync(request.Invocation, clientId, clients, errors, context.RequestAborted);
        }
        if (request is null || errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }
        var (outcome, schedule) = await schedules.CreateAsync(clientId, request, claim, body.Bytes);
        return outcome switch
        {
            ScheduleService.Creation.Conflict => TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "This Idempotency-Key was used with a different request body."),
            ScheduleService.Creation.Deleted => TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "The schedule this Idempotency-Key created has been deleted since."),
            _ => TypedResults.Created($"/schedules/{schedule!.ScheduleId}", schedule),
        };
    }

    private static async Task<Ok<IReadOnlyList<ScheduleView>>> ListAsync(HttpContext context, ScheduleService schedules, CancellationToken ct) =>
        TypedResults.Ok(await schedules.ListAsync(ClientOrAdminFilter.ClientOf(context), ct));

    private static async Task<Results<Ok<ScheduleView>, NotFound>> GetAsync(string id, HttpContext context, ScheduleService schedules, CancellationToken ct) =>
        await schedules.GetAsync(ClientOrAdminFilter.ClientOf(context), id, ct) is { } schedule ? TypedResults.Ok(schedule) : TypedResults.NotFound();

    private static async Task<Results<NoContent, NotFound>> DeleteAsync(string id, HttpContext context, ScheduleService schedules) =>
        await schedules.DeleteAsync(ClientOrAdminFilter.ClientOf(context), id) ? TypedResults.NoContent() : TypedResults.NotFound();
}
