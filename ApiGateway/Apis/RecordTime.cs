namespace BotSystem.ApiGateway.Apis;

/// <summary>Times stored in Redis records as epoch milliseconds, shown as ISO 8601.</summary>
internal static class RecordTime
{
    public static DateTimeOffset? Parse(string? milliseconds) =>
        long.TryParse(milliseconds, out var ms) ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : null;
}
