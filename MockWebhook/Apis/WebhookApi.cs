using System.Text;
using BotSystem.Contracts;
using BotSystem.MockWebhook.Model;

namespace BotSystem.MockWebhook.Apis;

/// <summary>
/// The receiving end: <c>POST /webhook</c> verifies, records and answers as failure injection says;
/// <c>/test/success</c>, <c>/test/error</c> and <c>/test/timeout</c> answer the same way every time.
/// </summary>
public static class WebhookApi
{
    public static IEndpointRouteBuilder MapWebhookApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/webhook", (HttpRequest request, [AsParameters] ReceiverServices services, CancellationToken ct) =>
            ReceiveAsync(request, services, Behaviour.AsConfigured, ct));
        var test = app.MapGroup("/test");
        test.MapPost("/success", (HttpRequest request, [AsParameters] ReceiverServices services, CancellationToken ct) =>
            ReceiveAsync(request, services, Behaviour.Succeed, ct));
        test.MapPost("/error", (HttpRequest request, [AsParameters] ReceiverServices services, CancellationToken ct) =>
            ReceiveAsync(request, services, Behaviour.Fail, ct));
        test.MapPost("/timeout", (HttpRequest request, [AsParameters] ReceiverServices services, CancellationToken ct) =>
            ReceiveAsync(request, services, Behaviour.Hang, ct));
        return app;
    }

    private enum Behaviour { AsConfigured, Succeed, Fail, Hang }

    private static async Task<IResult> ReceiveAsync(HttpRequest request, ReceiverServices services, Behaviour behaviour, CancellationToken ct)
    {
        var receivedAt = services.Time.GetUtcNow();
        using var reader = new StreamReader(request.Body, Encoding.UTF8);
        var body = await reader.ReadToEndAsync(ct);
        var id = request.Headers[StandardWebhooks.IdHeader].ToString();
        var verification = services.Options.Value.Secret is { } secret
            ? StandardWebhooks.Verify(secret, id, request.Headers[StandardWebhooks.TimestampHeader], request.Headers[StandardWebhooks.SignatureHeader],
                body, services.Time.GetUtcNow(), services.Options.Value.TimestampTolerance).ToString()
            : "NoSecretConfigured";
        var signatureValid = verification == nameof(WebhookVerification.Valid);
        var refused = services.Options.Value.Secret is not null && !signatureValid;

        // A request refused for its signature spends no injected failure: the failure is left for a delivery.
        var failureStatus = behaviour == Behaviour.AsConfigured && !refused ? services.Failures.Decide() : null;
        var latency = behaviour == Behaviour.AsConfigured ? services.Failures.Latency : TimeSpan.Zero;
        var status = behaviour switch
        {
            Behaviour.Fail => StatusCodes.Status500InternalServerError,
            _ when refused => StatusCodes.Status401Unauthorized,
            _ => failureStatus ?? StatusCodes.Status200OK,
        };

        // Recorded once answered, so a sender that gave up first (as on /test/timeout) is not counted as answered.
        var answered = true;
        var wait = behaviour == Behaviour.Hang ? services.Options.Value.TimeoutSleep : latency;
        if (wait > TimeSpan.Zero)
        {
            try
            {
                await Task.Delay(wait, services.Time, ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                answered = false;
            }
        }
        services.Log.Record(new RecordedDelivery
        {
            Id = string.IsNullOrEmpty(id) ? null : id,
            ReceivedAt = receivedAt,
            Path = request.Path,
            Headers = request.Headers.ToDictionary(header => header.Key.ToLowerInvariant(), header => header.Value.ToString()),
            Body = body,
            SignatureValid = signatureValid,
            Verification = verification,
            Status = answered ? status : null,
        });
        if (!answered)
        {
            return TypedResults.Empty;
        }

        if (status == StatusCodes.Status200OK)
        {
            return TypedResults.Ok(new { received = true, id });
        }
        if (status == StatusCodes.Status401Unauthorized)
        {
            return TypedResults.Problem(statusCode: status, title: "Bad webhook signature", detail: verification);
        }
        if (failureStatus is not null && services.Failures.Settings.RetryAfterSeconds is { } retryAfter)
        {
            request.HttpContext.Response.Headers.RetryAfter = retryAfter.ToString();
        }
        return TypedResults.StatusCode(status);
    }
}
