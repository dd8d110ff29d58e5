using System.Net;
using System.Net.Sockets;

namespace BotSystem.Testing;

/// <summary>A dead receiver: it accepts connections and never answers.</summary>
public sealed class HangingEndpoint : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Any, 0);
    private readonly List<Socket> _held = [];
    private readonly CancellationTokenSource _stop = new();

    public HangingEndpoint()
    {
        _listener.Start();
        _ = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    private async Task AcceptAsync()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var socket = await _listener.AcceptSocketAsync(_stop.Token);
                lock (_held)
                {
                    _held.Add(socket);
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Stopped.
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        lock (_held)
        {
            _held.ForEach(socket => socket.Dispose());
        }
        _stop.Dispose();
    }
}
