using BotSystem.Contracts;
using BotSystem.WebhookManager.Admin;
using BotSystem.WebhookManager.Delivery;
using Microsoft.AspNetCore.Http.HttpResults;
using Polly.CircuitBreaker;

namespace BotSystem.WebhookManager.Apis;

/// <summary>The dead letter queue and endpoint state, behind the admin key.</summary>
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
        return app;
    }

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
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }
        return TypedResults.Ok(await services.DeadLetters.ListAsync(from, to, Decode(endpoint), offset ?? 0, limit ?? 100));
    }

    private static async Task<Results<Ok<DeliveryView>, NotFound<ProblemHttpResult>>> GetDelivery([AsParameters] AdminServices services, string id)
    {
        if (await services.Store.GetAsync(id) is not { } delivery)
        {
            return TypedResults.NotFound(TypedResults.Problem(statusCode: 404, title: "No such delivery", detail: $"No delivery has id '{id}'."));
        }
        return TypedResults.Ok(new DeliveryView { Delivery = delivery, Body = delivery.Body, History = await services.Store.GetAttemptsAsync(id) });
    }

    private static async Task<Results<Accepted<RedriveResult>, NotFound<ProblemHttpResult>, Conflict<ProblemHttpResult>>> RedriveOne(
        [AsParameters] AdminServices services, string id)
    {
        if (await services.Store.GetAsync(id) is not { } delivery)
        {
            return TypedResults.NotFound(TypedResults.Problem(statusCode: 404, title: "No such delivery", detail: $"No delivery has id '{id}'."));
        }
        if (!await services.DeadLetters.RedriveAsync(id))
        {
            return TypedResults.Conflict(TypedResults.Problem(statusCode: 409, title: "Not dead",
                detail: $"Delivery '{id}' is {delivery.Status}; only dead deliveries are redriven."));
        }
        return TypedResults.Accepted($"/deliveries/{id}", new RedriveResult(1));
    }

    private static async Task<Results<Accepted<RedriveResult>, ValidationProblem>> RedriveMany(
        [AsParameters] AdminServices services, string? endpoint, DateTimeOffset? from, DateTimeOffset? to)
    {
        if (from is not null && to is not null && from > to)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["from"] = ["from must not be after to."] });
        }
        return TypedResults.Accepted((string?)null, new RedriveResult(await services.DeadLetters.RedriveAllAsync(from, to, Decode(endpoint))));
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

    private static async Task<Ok<EnableResult>> EnableEndpoint([AsParameters] AdminServices services, string endpoint, string? clientId) =>
        TypedResults.Ok(new EnableResult(Decode(endpoint)!, await services.Disabled.EnableAsync(Decode(endpoint)!, clientId)));

    // Route values keep an encoded '/' encoded, and an endpoint is "scheme://host:port".
    private static string? Decode(string? endpoint) => endpoint is null ? null : Uri.UnescapeDataString(endpoint).ToLowerInvariant();

    private static string Describe(CircuitState state) => state switch
    {
        CircuitState.Closed => "closed",
        CircuitState.HalfOpen => "half-open",
        CircuitState.Open => "open",
        _ => "isolated",
    };
}
