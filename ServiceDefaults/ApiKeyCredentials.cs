namespace Microsoft.AspNetCore.Http;

/// <summary>How every service's API takes a key, and how it answers a request without a valid one.</summary>
public static class ApiKeyCredentials
{
    /// <summary>The API key of a request: <c>X-Api-Key</c>, or <c>Authorization: Bearer</c>.</summary>
    public static string? Of(HttpRequest request)
    {
        if (request.Headers["X-Api-Key"].FirstOrDefault() is { Length: > 0 } key)
        {
            return key;
        }
        var authorization = request.Headers.Authorization.FirstOrDefault();
        return authorization?.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) == true ? authorization["Bearer ".Length..].Trim() : null;
    }

    /// <summary>A 401 problem with the challenge a 401 must carry, naming the Bearer scheme the key may come in.</summary>
    public static IResult Unauthenticated(HttpContext context, string title, string? detail = null)
    {
        context.Response.Headers.WWWAuthenticate = "Bearer realm=\"botsystem\"";
        return Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: title, detail: detail);
    }
}
