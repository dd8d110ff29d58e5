namespace WebhookManager.Tests;

public sealed class WebhookFixture : IAsyncLifetime
{
    public RedisServer Redis { get; } = new();

    public MockReceiver Receiver { get; private set; } = null!;

    public ManagerProcess Manager { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await Redis.InitializeAsync();
        Receiver = await MockReceiver.StartAsync();
        Manager = await ManagerProcess.StartAsync(Redis);
    }

    public async Task DisposeAsync()
    {
        await Manager.DisposeAsync();
        await Receiver.DisposeAsync();
        await Redis.DisposeAsync();
    }
}
