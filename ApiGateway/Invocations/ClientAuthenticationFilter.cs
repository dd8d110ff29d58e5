namespace BotSystem.ApiGateway.Invocations;

/// <summary>Admits requests that carry a client's API key, and rate-limits each client.</summary>
public sealed class ClientAuthenticationFilter(ClientDirectory clients, ClientRateLimiter rateLimiter) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        if (clients.Authenticate(ApiKeyCredentials.Of(context.HttpContext.Request)) is not { } clientId)
        {
            return ApiKeyCredentials.Unauthenticated(context.HttpContext, "A valid API key is required (X-Api-Key or Authorization: Bearer).");
        }
        if (rateLimiter.TryAcquire(clientId, context.HttpContext.Request.Method) is { } retryAfter)
        {
            return TooManyRequests(context.HttpContext, clientId, retryAfter);
        }
        context.HttpContext.Items[ClientDirectory.ClientIdItem] = clientId;
        return await next(context);
    }

    public static IResult TooManyRequests(HttpContext context, string clientId, TimeSpan retryAfter)
    {
        context.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString();
        return Results.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Too many requests.",
            detail: $"Client '{clientId}' is over its rate limit; retry after {retryAfter.TotalSeconds:0.#} s.");
    }
}
