using StackExchange.Redis;

namespace GatewayBench;

/// <summary>The baseline: a minimal ASP.NET endpoint that reads the body and does one Redis LPUSH.</summary>
public static class BareEndpoint
{
    public static async Task RunAsync(string url, string redisConnection)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls(url);
        builder.Services.AddSingleton<IConnectionMultiplexer>(await ConnectionMultiplexer.ConnectAsync(redisConnection));
        var app = builder.Build();
        app.MapGet("/health", () => "Healthy");
        app.MapPost("/invoke", async (HttpRequest request, IConnectionMultiplexer redis) =>
        {
            using var reader = new StreamReader(request.Body);
            await redis.GetDatabase().ListLeftPushAsync("bare:invocations", await reader.ReadToEndAsync());
            return Results.Accepted();
        });
        await app.RunAsync();
    }
}
