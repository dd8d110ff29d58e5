using System.Text.Json.Nodes;
using BotSystem.MockWebhook.Model;
using Microsoft.AspNetCore.Http.HttpResults;

namespace BotSystem.MockWebhook.Apis;

/// <summary>A receiver for Alertmanager's webhook notifications, so alerts can be seen without a real pager.</summary>
public static class AlertsApi
{
    public static IEndpointRouteBuilder MapAlertsApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/alerts", Receive);
        app.MapGet("/alerts", (AlertLog alerts) => TypedResults.Ok(alerts.Notifications()));
        app.MapDelete("/alerts", (AlertLog alerts) =>
        {
            alerts.Clear();
            return TypedResults.NoContent();
        });
        return app;
    }

    private static Results<Ok, ValidationProblem> Receive(JsonObject? notification, AlertLog alerts)
    {
        if (notification is null)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["body"] = ["An Alertmanager notification object is required."] });
        }
        alerts.Record(notification);
        return TypedResults.Ok();
    }
}
