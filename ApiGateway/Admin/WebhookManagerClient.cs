using BotSystem.Contracts;
using Microsoft.Extensions.Options;

namespace BotSystem.ApiGateway.Admin;

/// <summary>
/// Forwards the dashboard's dead-letter and endpoint calls to the webhook manager's admin API, which
/// owns them; the webhook manager is found by service discovery (<c>services__webhook-manager__http__0</c>).
/// </summary>
public sealed class WebhookManagerClient(HttpClient http, IOptions<AdminOptions> options)
{
    public const string ServiceUrl = "http://webhook-manager";

    private static readonly TimeSpan StatsDeadline = TimeSpan.FromSeconds(2);

    /// <summary>Calls the webhook manager's admin API with the gateway's key for it.</summary>
    public async Task<HttpResponseMessage> SendAsync(HttpMethod method, string pathAndQuery, CancellationToken ct = default)
    {
        using var request = new HttpRequestMessage(method, pathAndQuery);
        request.Headers.Add("X-Api-Key", options.Value.WebhookManagerApiKey);
        return await http.SendAsync(request, ct);
    }

    /// <summary>The webhook manager's delivery figures (its <c>GET /stats</c>), or null when it cannot be asked.</summary>
    public async Task<WebhookStats?> GetStatsAsync(CancellationToken ct)
    {
        // Briefly: the caller shows what it has without them rather than wait out the retries of a manager that is down.
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(StatsDeadline);
        try
        {
            using var response = await SendAsync(HttpMethod.Get, "/stats", deadline.Token);
            return response.IsSuccessStatusCode ? await response.Content.ReadFromJsonAsync<WebhookStats>(deadline.Token) : null;
        }
        catch (Exception) when (!ct.IsCancellationRequested)
        {
            return null;
        }
    }

    /// <summary>
    /// Makes the call of <paramref name="context"/>, its method and query string, to <paramref name="path"/> of the
    /// webhook manager, and answers with whatever it answered, or 502 when it cannot be reached.
    /// </summary>
    public async Task<IResult> ForwardAsync(HttpContext context, string path)
    {
        try
        {
            using var response = await SendAsync(new HttpMethod(context.Request.Method), path + context.Request.QueryString, context.RequestAborted);
            var body = await response.Content.ReadAsStringAsync();
            return Results.Content(body, response.Content.Headers.ContentType?.ToString() ?? "application/json", statusCode: (int)response.StatusCode);
        }
        catch (HttpRequestException ex)
        {
            return Results.Problem(statusCode: StatusCodes.Status502BadGateway, title: "The webhook manager is unreachable.", detail: ex.Message);
        }
    }
}
