using System.Net;
using System.Net.Sockets;

namespace BotSystem.AppHost.Resources;

/// <summary>
/// Ports for the processes this one starts. A free port is taken below the kernel's ephemeral range: a port the kernel
/// offers for a bind to port 0 lies inside that range, where any outgoing connection on the machine may take it as
/// its local port between the choice and the bind of the process it was chosen for.
/// </summary>
internal static class LoopbackPorts
{
    private const int LowestChosen = 10_000;
    private const int TriesBelowEphemeral = 1_000;
    private static readonly HashSet<int> HandedOut = [];
    private static readonly int FirstEphemeral = ReadFirstEphemeralPort();

    /// <summary>A port nothing listens on, never one this process handed out before (that process may not have bound it yet).</summary>
    public static int Next()
    {
        lock (HandedOut)
        {
            for (var attempt = 0; attempt < TriesBelowEphemeral && FirstEphemeral > LowestChosen; attempt++)
            {
                var port = Random.Shared.Next(LowestChosen, FirstEphemeral);
                if (IsFree(port))
                {
                    HandedOut.Add(port);
                    return port;
                }
            }
            // No range known (not Linux), or no free port found below it: one the kernel offers.
            while (true)
            {
                using var listener = new TcpListener(IPAddress.Loopback, 0);
                listener.Start();
                var port = ((IPEndPoint)listener.LocalEndpoint).Port;
                if (HandedOut.Add(port))
                {
                    return port;
                }
            }
        }
    }

    /// <summary>Keeps a port given to a process by number from being offered again, as a default or a free port.</summary>
    public static void Reserve(int port)
    {
        lock (HandedOut)
        {
            HandedOut.Add(port);
        }
    }

    /// <summary>Whether a process may be given <paramref name="port"/>: nothing listens on it, and it was not given to another.</summary>
    public static bool IsFree(int port)
    {
        lock (HandedOut)
        {
            if (HandedOut.Contains(port))
            {
                return false;
            }
        }
        try
        {
            using var listener = new TcpListener(IPAddress.Any, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>The first port of Linux's <c>ip_local_port_range</c>; elsewhere the range is unknown and nothing lies below it.</summary>
    private static int ReadFirstEphemeralPort()
    {
        const string rangeFile = "/proc/sys/net/ipv4/ip_local_port_range";
        return File.Exists(rangeFile)
            && File.ReadAllText(rangeFile).Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries) is [var first, ..]
            && int.TryParse(first, out var port)
                ? port
                : 0;
    }
}
