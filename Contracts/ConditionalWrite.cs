using StackExchange.Redis;

namespace BotSystem.Contracts;

/// <summary>
/// A Redis transaction made only while its conditions hold. Redis aborts it when another client writes a key it checked
/// between the check and the change, conditions holding or not: it is then tried again, so only a condition that fails
/// refuses the write.
/// </summary>
public static class ConditionalWrite
{
    /// <summary>Makes <paramref name="write"/> while every one of <paramref name="conditions"/> holds (true), or nothing (false).</summary>
    public static async Task<bool> ExecuteAsync(IDatabase database, Func<IEnumerable<Condition>> conditions, Action<ITransaction> write)
    {
        while (true)
        {
            var transaction = database.CreateTransaction();
            var checks = conditions().Select(transaction.AddCondition).ToList();
            write(transaction);
            if (await transaction.ExecuteAsync())
            {
                return true;
            }
            if (!checks.TrueForAll(check => check.WasSatisfied))
            {
                return false;
            }
        }
    }
}
