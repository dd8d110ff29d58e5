namespace WebhookManager.Tests;

[Collection(WebhookCollection.Name)]
public sealed class ConfigurationTests(WebhookFixture fixture)
{
    [Theory]
    [InlineData("WEBHOOK_MAX_RETRIES", "-1", "MaxRetries")]
    [InlineData("WEBHOOK_RETRY_DELAY", "soon", "WEBHOOK_RETRY_DELAY")]
    [InlineData("Webhooks__Endpoint__RateLimitPerSecond", "0", "Endpoint.RateLimitPerSecond")]
    [InlineData("Webhooks__Endpoint__MaxWaitForPlace", "00:00:00.001", "Endpoint.MaxWaitForPlace")]
    [InlineData("Webhooks__Endpoint__ForgetAfterIdle", "00:00:00.500", "Endpoint.ForgetAfterIdle")]
    [InlineData("Webhooks__UserAgent", "Bötsystem-Webhooks/1.0", "Webhooks:UserAgent")]
    [InlineData("Webhooks__UserAgent", "BotSystem-Webhooks/1.0\r\nX-Forwarded-For: 10.0.0.1", "Webhooks:UserAgent")]
    [InlineData("Clients__trusted__WebhookSecrets__0", "whsec_not base64!", "Clients:trusted:WebhookSecrets:0")]
    [InlineData("Clients__trusted__AllowedWebhookHosts__0", "http://hooks.internal/", "Clients:trusted:AllowedWebhookHosts:0: 'http://hooks.internal/' is not a host name")]
    [InlineData("Clients__trusted__AllowedWebhookHosts__0", "hooks.internal:8080", "Clients:trusted:AllowedWebhookHosts:0")]
    public async Task A_bad_setting_stops_the_start_with_its_name(string name, string value, string named)
    {
        var settings = ManagerProcess.Settings(fixture.Redis.ConnectionString, FreePort.Next());
        settings[name] = value;
        await using var process = ServiceProcess.StartService("WebhookManager", settings);

        Assert.True(await process.WaitForExitAsync(TimeSpan.FromSeconds(30)), "the manager started with " + name + "=" + value);
        Assert.NotEqual(0, process.ExitCode);
        Assert.Contains(named, process.Output);
    }
}
