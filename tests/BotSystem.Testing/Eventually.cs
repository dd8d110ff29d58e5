namespace BotSystem.Testing;

/// <summary>Waits for a condition observed from outside the code under test.</summary>
public static class Eventually
{
    public static async Task HoldsAsync(Func<Task<bool>> condition, TimeSpan timeout, string because)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Not within {timeout}: {because}");
            }
            await Task.Delay(20);
        }
    }
}
