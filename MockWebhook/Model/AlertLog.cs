using System.Collections.Concurrent;
using System.Text.Json.Nodes;

namespace BotSystem.MockWebhook.Model;

/// <summary>Alertmanager notifications as they arrived, oldest first.</summary>
public sealed class AlertLog
{
    private const int MaxKept = 1000;
    private readonly ConcurrentQueue<JsonObject> _notifications = new();

    public void Record(JsonObject notification)
    {
        _notifications.Enqueue(notification);
        while (_notifications.Count > MaxKept && _notifications.TryDequeue(out _))
        {
        }
    }

    public IReadOnlyList<JsonObject> Notifications() => [.. _notifications];

    public void Clear() => _notifications.Clear();
}
