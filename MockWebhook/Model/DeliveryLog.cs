using System.Globalization;
using Microsoft.Extensions.Options;

namespace BotSystem.MockWebhook.Model;

/// <summary>Every delivery received since the last reset: the newest ones in full, all of them in the statistics.</summary>
public sealed class DeliveryLog(IOptions<MockWebhookOptions> options)
{
    private readonly Lock _lock = new();
    private readonly Queue<RecordedDelivery> _recent = new();
    private readonly HashSet<string> _ids = new(StringComparer.Ordinal);
    private readonly Queue<string> _idsInArrivalOrder = new();
    // The key of requests whose sender gave up before the answer.
    private const string Unanswered = "unanswered";

    private readonly Dictionary<string, long> _byStatus = [];
    private long _received;
    private long _duplicates;
    private long _forgottenIds;
    private long _badSignatures;

    public void Record(RecordedDelivery delivery)
    {
        lock (_lock)
        {
            _received++;
            if (delivery.Id is { } id)
            {
                Track(id);
            }
            if (!delivery.SignatureValid)
            {
                _badSignatures++;
            }
            var status = delivery.Status?.ToString(CultureInfo.InvariantCulture) ?? Unanswered;
            _byStatus[status] = _byStatus.GetValueOrDefault(status) + 1;
            _recent.Enqueue(delivery);
            while (_recent.Count > options.Value.MaxRecordedDeliveries)
            {
                _recent.Dequeue();
            }
        }
    }

    private void Track(string id)
    {
        if (!_ids.Add(id))
        {
            _duplicates++;
            return;
        }
        _idsInArrivalOrder.Enqueue(id);
        if (_idsInArrivalOrder.Count > options.Value.MaxTrackedIds)
        {
            _ids.Remove(_idsInArrivalOrder.Dequeue());
            _forgottenIds++;
        }
    }

    public IReadOnlyList<RecordedDelivery> Deliveries()
    {
        lock (_lock)
        {
            return [.. _recent];
        }
    }

    public DeliveryStats Stats()
    {
        lock (_lock)
        {
            return new DeliveryStats
            {
                Received = _received,
                UniqueIds = _ids.Count + _forgottenIds,
                Duplicates = _duplicates,
                BadSignatures = _badSignatures,
                ByStatus = _byStatus.OrderBy(pair => pair.Key, StringComparer.Ordinal).ToDictionary(),
            };
        }
    }

    public void Clear()
    {
        lock (_lock)
        {
            _recent.Clear();
            _ids.Clear();
            _idsInArrivalOrder.Clear();
            _forgottenIds = 0;
            _byStatus.Clear();
            _received = 0;
            _duplicates = 0;
            _badSignatures = 0;
        }
    }
}
