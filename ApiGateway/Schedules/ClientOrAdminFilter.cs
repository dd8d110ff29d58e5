using BotSystem.ApiGateway.Admin;
using BotSystem.ApiGateway.Invocations;

namespace BotSystem.ApiGateway.Schedules;

/// <summary>Admits the admin (who sees every client's schedules) or, through the client filter, a client.</summary>
public sealed class ClientOrAdminFilter(AdminSessions sessions, ClientAuthenticationFilter clients) : IEndpointFilter
{
    public const string AdminItem = "botsystem.admin";

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        if (sessions.IsAdminKey(ApiKeyCredentials.Of(context.HttpContext.Request)))
        {
            context.HttpContext.Items[AdminItem] = true;
            return await next(context);
        }
        return await clients.InvokeAsync(context, next);
    }

    /// <summary>The caller's client id, or null for the admin.</summary>
    public static string? ClientOf(HttpContext context) =>
        context.Items.ContainsKey(AdminItem) ? null : (string)context.Items[ClientDirectory.ClientIdItem]!;
}
