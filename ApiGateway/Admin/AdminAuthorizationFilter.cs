using BotSystem.ApiGateway.Invocations;

namespace BotSystem.ApiGateway.Admin;

/// <summary>
/// Admits the admin by the admin key (<c>X-Api-Key</c> or Bearer), or by the session cookie; a cookie-borne request
/// that changes something must also carry the session's anti-forgery token.
/// </summary>
public sealed class AdminAuthorizationFilter(AdminSessions sessions, ClientDirectory clients) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var request = context.HttpContext.Request;
        var apiKey = ApiKeyCredentials.Of(request);
        if (sessions.IsAdminKey(apiKey))
        {
            return await next(context);
        }
        // A client's key is a known identity without this right: forbidden, where an unknown key is unauthenticated.
        if (clients.Authenticate(apiKey) is not null)
        {
            return Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "This needs the admin key; a client's key cannot use it.");
        }

        var csrfToken = await sessions.GetCsrfTokenAsync(request.Cookies[AdminSessions.CookieName]);
        if (csrfToken is null)
        {
            return ApiKeyCredentials.Unauthenticated(context.HttpContext, "Log in with the admin key.");
        }
        if (!HttpMethods.IsGet(request.Method) && request.Headers[AdminSessions.CsrfHeader] != csrfToken)
        {
            return Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "The anti-forgery token is missing or wrong.");
        }
        context.HttpContext.Items[AdminSessions.CsrfHeader] = csrfToken;
        return await next(context);
    }
}
