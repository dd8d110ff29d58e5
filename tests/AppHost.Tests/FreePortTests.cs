using BotSystem.Testing;

namespace AppHost.Tests;

public sealed class FreePortTests
{
    [Fact]
    public void Free_ports_are_all_different_and_below_the_range_outgoing_connections_take_theirs_from()
    {
        // More ports than any AppHost asks for: the kernel offers released ports again, often within a few thousand.
        var ports = Enumerable.Range(0, 3_000).Select(_ => FreePort.Next()).ToList();

        Assert.Equal(ports.Count, ports.Distinct().Count());
        var firstEphemeral = int.Parse(File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split('\t', ' ')[0]);
        Assert.All(ports, port => Assert.InRange(port, 1_024, firstEphemeral - 1));
    }
}
