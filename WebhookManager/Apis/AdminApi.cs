using BotSystem.Contracts;
using BotSystem.WebhookManager.Admin;
using BotSystem.WebhookManager.Delivery;
using Microsoft.AspNetCore.Http.HttpResults;
using Polly.CircuitBreaker;

namespace BotSystem.WebhookManager.Apis;

/// <summary>The dead letter queue, endpoint state and delivery figures, behind the admin key.</summary>
public static class AdminApi
{
    public static IEndpointRouteBuilder MapAdminApi(this IEndpointRouteBuilder app)
    {
        var deliveries = app.MapGroup("/deliveries").AddEndpointFilter<AdminKeyFilter>();
        deliveries.MapGet("/", ListDeliveries);
        deliveries.MapGet("/{id}", GetDelivery);
        deliveries.MapPost("/{id}/redrive", RedriveOne);
        deliveries.MapPost("/redrive", RedriveMany);

        var endpoints = app.MapGroup("/endpoints").AddEndpointFilter<AdminKeyFilter>();
        endpoints.MapGet("/", ListEndpoints);
        endpoints.MapPost("/{endpoint}/enable", EnableEndpoint);

        app.MapGet("/stats", GetStats).AddEndpointFilter<AdminKeyFilter>();
        return app;
    }

    private static async Task<Ok<WebhookStats>> GetStats([AsParameters] AdminServices services) =>
        TypedResults.Ok(new WebhookStats
        {
            DeadLetters = await services.Store.CountDeadAsync(),
            OpenCircuits = services.Pipelines.CircuitStates.Values.Count(state => state != CircuitState.Closed),
            DisabledEndpoints = (await services.Disabled.GetAllAsync()).Count,
        });

    private static async Task<Results<Ok<IReadOnlyList<DeliveryRecord>>, ValidationProblem>> ListDeliveries(
        [AsParameters] AdminServices services, string? status, string? endpoint, DateTimeOffset? from, DateTimeOffset? to, int? offset, int? limit)
    {
        var errors = new Dictionary<string, string[]>();
        if (status is not null && status != DeliveryStatus.Dead)
        {
            errors["status"] = [$"Only status={DeliveryStatus.Dead} is listed; look up other deliveries by id."];
        }
        if (offset is < 0)
        {
            errors["offset"] = ["offset must be 0 or more."];
        }
        if (limit is < 1 or > 10_000)
        {
            errors["limit"] = ["limit must be from 1 to 10000."];
        }
        CheckRange(from, to, errors);
        var endpointKey = EndpointKey(endpoint, errors);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }
        return TypedResults.Ok(await services.DeadLetters.ListAsync(from, to, endpointKey, offset ?? 0, limit ?? 100));
    }

    private static async Task<Results<Ok<DeliveryView>, ProblemHttpResult>> GetDelivery([AsParameters] AdminServices services, string id)
    {
        if (await services.FindDeliveryAsync(id) is not { } delivery)
        {
            return NoSuchDelivery(id);
        }
        return TypedResults.Ok(new DeliveryView { Delivery = delivery, Body = delivery.Body, History = delivery.IsStored ? await services.Store.GetAttemptsAsync(id) : [] });
    }

    private static async Task<Results<Accepted<RedriveResult>, ProblemHttpResult>> RedriveOne([AsParameters] AdminServices services, string id)
    {
        if (await services.FindDeliveryAsync(id) is not { } delivery)
        {
            return NoSuchDelivery(id);
        }
        return await services.DeadLetters.RedriveAsync(id) switch
        {
            DeadLetterQueue.Redrive.Redriven => TypedResults.Accepted($"/deliveries/{id}", new RedriveResult(1, 0)),
            DeadLetterQueue.Redrive.EndpointDisabled => TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Endpoint disabled",
                detail: $"{delivery.Endpoint} answered 410 Gone and is disabled for client {delivery.ClientId}, so the delivery would die again at once; "
                    + $"enable it first with POST /endpoints/{Uri.EscapeDataString(delivery.Endpoint)}/enable?clientId={Uri.EscapeDataString(delivery.ClientId)}."),
            _ => TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Not dead",
                detail: $"Delivery '{id}' is {delivery.Status}; only dead deliveries are redriven."),
        };
    }

    private static async Task<Results<Accepted<RedriveResult>, ValidationProblem>> RedriveMany(
        [AsParameters] AdminServices services, HttpRequest request, string? endpoint, DateTimeOffset? from, DateTimeOffset? to)
    {
        var errors = new Dictionary<string, string[]>();
        // Filters sent in a body would otherwise be ignored, and every dead delivery redriven.
        if (request.ContentLength > 0 || request.Headers.TransferEncoding.Count > 0)
        {
            errors["body"] = ["Give the filters as query parameters (endpoint, from, to); the body must be empty."];
        }
        CheckRange(from, to, errors);
        var endpointKey = EndpointKey(endpoint, errors);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }
        return TypedResults.Accepted((string?)null, await services.DeadLetters.RedriveAllAsync(from, to, endpointKey));
    }

    private static async Task<Ok<List<EndpointView>>> ListEndpoints([AsParameters] AdminServices services)
    {
        var circuits = services.Pipelines.CircuitStates;
        var disabled = await services.Disabled.GetAllAsync();
        var views = circuits.Keys.Union(disabled.Keys).Order(StringComparer.Ordinal).Select(endpoint => new EndpointView
        {
            Endpoint = endpoint,
            Circuit = circuits.TryGetValue(endpoint, out var state) ? Describe(state) : "closed",
            DisabledFor = disabled.TryGetValue(endpoint, out var clients) ? clients : new Dictionary<string, DateTimeOffset>(),
        }).ToList();
        return TypedResults.Ok(views);
    }

    private static async Task<Results<Ok<EnableResult>, ValidationProblem>> EnableEndpoint([AsParameters] AdminServices services, string endpoint, string? clientId)
    {
        var errors = new Dictionary<string, string[]>();
        if (EndpointKey(endpoint, errors) is not { } key)
        {
            return TypedResults.ValidationProblem(errors);
        }
        return TypedResults.Ok(new EnableResult(key, await services.Disabled.EnableAsync(key, clientId)));
    }

    // A range that ends before it begins selects nothing; asked for, it is a mistake, not an empty queue.
    private static void CheckRange(DateTimeOffset? from, DateTimeOffset? to, Dictionary<string, string[]> errors)
    {
        if (from is not null && to is not null && from > to)
        {
            errors["from"] = ["from must not be after to."];
        }
    }

    /// <summary>
    /// The endpoint as deliveries are keyed (<c>scheme://host:port</c>) from any absolute http(s) URL of it; route values keep
    /// an encoded '/' encoded. Null when none was given, or when it is no such URL (then an error names the field).
    /// </summary>
    private static string? EndpointKey(string? endpoint, Dictionary<string, string[]> errors)
    {
        if (endpoint is null)
        {
            return null;
        }
        var key = DeliveryProcessor.EndpointOf(Uri.UnescapeDataString(endpoint));
        if (key is null)
        {
            errors["endpoint"] = ["Must be an absolute http(s) URL of the endpoint, e.g. https://example.com:443."];
        }
        return key;
    }

    private static ProblemHttpResult NoSuchDelivery(string id) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such delivery", detail: $"No delivery has id '{id}'.");

    private static string Describe(CircuitState state) => state switch
    {
        CircuitState.Closed => "closed",
        CircuitState.HalfOpen => "half-open",
        CircuitState.Open => "open",
        _ => "isolated",
    };
}
