using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Xunit;

namespace BotSystem.Testing;

/// <summary>What a client of the gateway does in tests: invoke, read a job, wait for its end; with the development keys by default.</summary>
public sealed class GatewayClient(string gatewayUrl, HttpClient http)
{
    public const string DevelopmentClientKey = "dev-api-key";
    public const string DevelopmentAdminKey = "dev-admin-key";

    public async Task<HttpResponseMessage> InvokeAsync(object body, string apiKey = DevelopmentClientKey, string? idempotencyKey = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{gatewayUrl}/invoke") { Content = JsonContent.Create(body) };
        request.Headers.Add("X-Api-Key", apiKey);
        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }
        return await http.SendAsync(request);
    }

    /// <summary>Invokes and returns the job id, failing with the answer when the gateway does not accept it.</summary>
    public async Task<string> InvokeOkAsync(object body)
    {
        using var response = await InvokeAsync(body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, text);
        return JsonNode.Parse(text)!["jobId"]!.GetValue<string>();
    }

    public async Task<JsonNode?> GetJobAsync(string jobId, string apiKey = DevelopmentClientKey)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{gatewayUrl}/job/{jobId}");
        request.Headers.Add("X-Api-Key", apiKey);
        using var response = await http.SendAsync(request);
        return response.IsSuccessStatusCode ? JsonNode.Parse(await response.Content.ReadAsStringAsync()) : null;
    }

    /// <summary>Polls <c>GET /job/{id}</c> until the job is completed, failed or cancelled.</summary>
    public Task<JsonNode> WaitForEndAsync(string jobId, TimeSpan? timeout = null) =>
        WaitForJobAsync(jobId, job => job["status"]?.GetValue<string>() is "completed" or "failed" or "cancelled", "end", timeout);

    /// <summary>Polls <c>GET /job/{id}</c> until its webhook delivery is delivered or dead.</summary>
    public Task<JsonNode> WaitForWebhookOutcomeAsync(string jobId, TimeSpan? timeout = null) =>
        WaitForJobAsync(jobId, job => job["webhook"]?["status"]?.GetValue<string>() is "delivered" or "dead", "have its webhook delivered or dead", timeout);

    private async Task<JsonNode> WaitForJobAsync(string jobId, Func<JsonNode, bool> condition, string what, TimeSpan? timeout)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(90));
        JsonNode? job = null;
        while (DateTime.UtcNow < deadline)
        {
            job = await GetJobAsync(jobId);
            if (job is not null && condition(job))
            {
                return job;
            }
            await Task.Delay(200);
        }
        throw new TimeoutException($"Job {jobId} did not {what}; last seen {job?.ToJsonString()}");
    }
}
