using BotSystem.AppHost.Resources;

namespace AppHost.Tests;

public sealed class FreePortTests
{
    [Fact]
    public void Free_ports_handed_out_by_one_AppHost_are_all_different()
    {
        // More ports than any AppHost asks for: the kernel offers released ports again, often within a few thousand.
        var ports = Enumerable.Range(0, 3_000).Select(_ => AppHostConfiguration.FreePort()).ToList();

        Assert.Equal(ports.Count, ports.Distinct().Count());
    }
}
