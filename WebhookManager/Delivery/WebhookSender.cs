using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using BotSystem.Contracts;
using BotSystem.WebhookManager.Endpoints;
using Microsoft.Extensions.Options;

namespace BotSystem.WebhookManager.Delivery;

/// <summary>Makes one signed request to a webhook and classifies how it ended; it never throws for the receiver's faults.</summary>
public sealed class WebhookSender(WebhookClients clients, IOptions<WebhookOptions> options, TimeProvider time)
{
    public async Task<AttemptResult> SendAsync(DeliveryRecord delivery, IReadOnlyList<string> secrets, CancellationToken ct)
    {
        var startedAt = time.GetUtcNow();
        var stopwatch = Stopwatch.StartNew();
        using var request = new HttpRequestMessage(HttpMethod.Post, delivery.Url)
        {
            Content = new StringContent(delivery.Body, Encoding.UTF8, "application/json"),
        };
        request.Headers.TryAddWithoutValidation("User-Agent", options.Value.UserAgent);
        request.Headers.Add(StandardWebhooks.IdHeader, delivery.Id);
        request.Headers.Add(StandardWebhooks.TimestampHeader, startedAt.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture));
        request.Headers.Add(StandardWebhooks.SignatureHeader, StandardWebhooks.Sign(delivery.Id, startedAt, delivery.Body, secrets));

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(options.Value.AttemptTimeout);
        try
        {
            using var response = await clients.InvokerFor(delivery.ClientId).SendAsync(request, timeout.Token);
            var status = (int)response.StatusCode;
            var outcome = AttemptResult.Classify(status);
            return new AttemptResult(outcome, startedAt, stopwatch.Elapsed, status,
                outcome == AttemptOutcome.Delivered ? null : $"HTTP {status} {response.ReasonPhrase}".TrimEnd(),
                RetryAfter(response.Headers.RetryAfter));
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return new AttemptResult(AttemptOutcome.Temporary, startedAt, stopwatch.Elapsed, null,
                $"No answer within {options.Value.AttemptTimeout.TotalSeconds:0.###} s.", null);
        }
        catch (HttpRequestException e) when (e.InnerException is DestinationRefusedException refused)
        {
            return new AttemptResult(AttemptOutcome.Permanent, startedAt, stopwatch.Elapsed, null, "Destination refused: " + refused.Message, null);
        }
        catch (HttpRequestException e)
        {
            var detail = e.InnerException is SocketException socket ? $"{e.Message} ({socket.SocketErrorCode})" : e.Message;
            return new AttemptResult(AttemptOutcome.Temporary, startedAt, stopwatch.Elapsed, null, "Connection failed: " + detail, null);
        }
    }

    private TimeSpan? RetryAfter(RetryConditionHeaderValue? header) => header switch
    {
        { Delta: { } delta } => delta,
        { Date: { } date } => date - time.GetUtcNow() is var wait && wait > TimeSpan.Zero ? wait : TimeSpan.Zero,
        _ => null,
    };
}
