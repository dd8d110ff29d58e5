using System.Collections.Concurrent;
using BotSystem.Contracts;
using Microsoft.Extensions.Options;

namespace BotSystem.Orchestrator.Invocations;

/// <summary>
/// The orchestrations of each bot type waiting here for a permit, each holding one of the orchestrator's slots: at most
/// an equal share of them per type, so a backlog of one type, which cannot run faster than its limit anyway, leaves
/// the other types room to be taken up. An invocation past its type's share is put back in the queue for a while.
/// </summary>
public sealed class PermitWaiters(IOptions<OrchestratorOptions> options)
{
    private readonly ConcurrentDictionary<string, int> _waiting = new();

    /// <summary>The waiting orchestrations each type may have here.</summary>
    public int Share { get; } = Math.Max(1, options.Value.Concurrency / BotTypes.All.Count);

    /// <summary>Counts one more orchestration of <paramref name="botType"/> waiting, unless its share is taken (false).</summary>
    public bool TryEnter(string botType)
    {
        while (true)
        {
            var waiting = _waiting.GetOrAdd(botType, 0);
            if (waiting >= Share)
            {
                return false;
            }
            if (_waiting.TryUpdate(botType, waiting + 1, waiting))
            {
                return true;
            }
        }
    }

    public void Leave(string botType) => _waiting.AddOrUpdate(botType, 0, (_, waiting) => waiting - 1);
}
