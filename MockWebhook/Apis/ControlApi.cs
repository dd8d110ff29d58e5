using BotSystem.MockWebhook.Model;
using Microsoft.AspNetCore.Http.HttpResults;

namespace BotSystem.MockWebhook.Apis;

/// <summary>What tests use to steer and inspect the receiver: failure injection, statistics, recorded deliveries.</summary>
public static class ControlApi
{
    public static IEndpointRouteBuilder MapControlApi(this IEndpointRouteBuilder app)
    {
        app.MapPut("/config", ApplyConfig);
        app.MapGet("/config", (FailureInjection failures) => TypedResults.Ok(failures.Settings));
        app.MapGet("/stats", (DeliveryLog log) => TypedResults.Ok(log.Stats()));
        app.MapGet("/deliveries", (DeliveryLog log) => TypedResults.Ok(log.Deliveries()));
        app.MapDelete("/deliveries", Reset);
        return app;
    }

    private static Results<Ok<FailureSettings>, ValidationProblem> ApplyConfig(FailureSettings settings, FailureInjection failures)
    {
        var errors = settings.Validate();
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }
        failures.Apply(settings);
        return TypedResults.Ok(failures.Settings);
    }

    private static NoContent Reset(DeliveryLog log, FailureInjection failures)
    {
        log.Clear();
        failures.Apply(new FailureSettings());
        return TypedResults.NoContent();
    }
}
