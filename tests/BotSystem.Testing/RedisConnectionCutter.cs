using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace BotSystem.Testing;

/// <summary>
/// A TCP relay in front of a <see cref="RedisServer"/> that can cut a client's connection the moment it sends a
/// chosen command, before the command reaches Redis (an outage at an exact step of a client, which stopping or
/// freezing the server can only hit by chance), or cut the clients behind it off Redis for a while, as a network
/// partition would, or stall their connections, while others reach it. Clients reconnect through it as they would to Redis.
/// </summary>
public sealed class RedisConnectionCutter : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly int _redisPort;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private readonly ConcurrentDictionary<TcpClient, bool> _relayed = new();
    private byte[]? _armed;
    private ArmedStall? _armedStall;
    private int _cuts;
    private int _stalls;
    private long _partitionedUntil;
    private long _stalledUntil;

    public RedisConnectionCutter(RedisServer redis)
    {
        _redisPort = redis.Port;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    /// <summary>The <c>host:port</c> to connect to instead of the server's.</summary>
    public string ConnectionString => $"127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

    /// <summary>How many connections have been cut.</summary>
    public int Cuts => Volatile.Read(ref _cuts);

    /// <summary>
    /// Cuts the next connection that sends <paramref name="text"/> (as it appears in the RESP bytes, e.g. a key
    /// followed by <c>\r\n</c>), once; what that connection sent with it is lost.
    /// </summary>
    public void CutOnceWhenSent(string text) => Volatile.Write(ref _armed, Encoding.UTF8.GetBytes(text));

    /// <summary>How many connections have been held by <see cref="StallOnceWhenSent"/>.</summary>
    public int Stalls => Volatile.Read(ref _stalls);

    /// <summary>
    /// Holds the next connection that sends <paramref name="text"/>, with what it sent, for <paramref name="duration"/>
    /// before letting it through, once (a command Redis answers late); other connections run on.
    /// </summary>
    public void StallOnceWhenSent(string text, TimeSpan duration) =>
        Volatile.Write(ref _armedStall, new ArmedStall(Encoding.UTF8.GetBytes(text), duration));

    /// <summary>
    /// Cuts every connection and refuses new ones for <paramref name="duration"/>; returns when the partition heals.
    /// </summary>
    public async Task PartitionAsync(TimeSpan duration)
    {
        Volatile.Write(ref _partitionedUntil, Environment.TickCount64 + (long)duration.TotalMilliseconds);
        foreach (var client in _relayed.Keys)
        {
            client.Dispose();
        }
        await Task.Delay(duration);
    }

    /// <summary>
    /// Holds every byte in both directions for <paramref name="duration"/>, as a link that drops packets without closing
    /// connections, then lets what was held through in order; returns when the link is back.
    /// </summary>
    public async Task StallAsync(TimeSpan duration)
    {
        Volatile.Write(ref _stalledUntil, Environment.TickCount64 + (long)duration.TotalMilliseconds);
        await Task.Delay(duration);
    }

    private async Task AcceptAsync()
    {
        try
        {
            while (true)
            {
                _ = RelayAsync(await _listener.AcceptTcpClientAsync(_stop.Token));
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Stopped.
        }
    }

    private async Task RelayAsync(TcpClient client)
    {
        using var redis = new TcpClient();
        using (client)
        {
            if (Environment.TickCount64 < Volatile.Read(ref _partitionedUntil))
            {
                return;
            }
            _relayed[client] = true;
            try
            {
                await redis.ConnectAsync(IPAddress.Loopback, _redisPort, _stop.Token);
                // Whichever direction ends first ends the connection, as a dropped link does.
                await Task.WhenAny(PumpAsync(client.GetStream(), redis.GetStream(), watch: true), PumpAsync(redis.GetStream(), client.GetStream(), watch: false));
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or IOException or ObjectDisposedException or InvalidOperationException)
            {
                // The server or the client went away, or a partition cut the connection.
            }
            finally
            {
                _relayed.TryRemove(client, out _);
            }
        }
    }

    private async Task PumpAsync(NetworkStream from, NetworkStream to, bool watch)
    {
        var buffer = new byte[64 * 1024];
        // The end of the previous read, so a command split across two reads is still seen.
        var seen = new List<byte>();
        try
        {
            int read;
            while ((read = await from.ReadAsync(buffer, _stop.Token)) > 0)
            {
                if (watch && (Volatile.Read(ref _armed) is not null || Volatile.Read(ref _armedStall) is not null))
                {
                    seen.AddRange(buffer.AsSpan(0, read));
                    if (Volatile.Read(ref _armed) is { } pattern && Sent(seen, pattern) && Interlocked.CompareExchange(ref _armed, null, pattern) == pattern)
                    {
                        Interlocked.Increment(ref _cuts);
                        return;
                    }
                    if (Volatile.Read(ref _armedStall) is { } stall && Sent(seen, stall.Pattern) && Interlocked.CompareExchange(ref _armedStall, null, stall) == stall)
                    {
                        Interlocked.Increment(ref _stalls);
                        await Task.Delay(stall.Duration, _stop.Token);
                    }
                    var longestArmed = Math.Max(Volatile.Read(ref _armed)?.Length ?? 0, Volatile.Read(ref _armedStall)?.Pattern.Length ?? 0);
                    seen.RemoveRange(0, Math.Clamp(seen.Count - longestArmed + 1, 0, seen.Count));
                }
                while (Environment.TickCount64 < Volatile.Read(ref _stalledUntil))
                {
                    await Task.Delay(10, _stop.Token);
                }
                await to.WriteAsync(buffer.AsMemory(0, read), _stop.Token);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or ObjectDisposedException)
        {
            // The other side closed.
        }
    }

    private static bool Sent(List<byte> seen, byte[] pattern) => seen.ToArray().AsSpan().IndexOf(pattern) >= 0;

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        _stop.Dispose();
    }

    private sealed record ArmedStall(byte[] Pattern, TimeSpan Duration);
}
