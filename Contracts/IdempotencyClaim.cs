using System.Security.Cryptography;
using System.Text;

namespace BotSystem.Contracts;

/// <summary>
/// A request's claim to be the first of its kind: an <c>Idempotency-Key</c> of <c>/invoke</c> or <c>/schedules</c>, or
/// the <c>webhook-id</c> of a trigger's request. A Redis string holds the digest of the first request's body and the id
/// of what it created (a job, a schedule), so a repeat gets the same and another body is a conflict.
/// </summary>
public static class IdempotencyClaim
{
    public static string Key(string clientId, string idempotencyKey) => $"botsystem:idempotency:{clientId}:{Digest(idempotencyKey)}";

    public static string ScheduleKey(string clientId, string idempotencyKey) => $"botsystem:idempotency:{clientId}:schedule:{Digest(idempotencyKey)}";

    public static string TriggerKey(string triggerId, string messageId) => $"botsystem:trigger-seen:{triggerId}:{Digest(messageId)}";

    public static string Value(byte[] body, string id) => $"{BodyDigest(body)}|{id}";

    /// <summary>The id a claim made for the same body holds, or null when the claim was made for another body.</summary>
    public static string? IdFor(string? claim, byte[] body) =>
        claim?.Split('|') is [var digest, var id] && digest == BodyDigest(body) ? id : null;

    private static string BodyDigest(byte[] body) => Convert.ToHexStringLower(SHA256.HashData(body));

    private static string Digest(string text) => BodyDigest(Encoding.UTF8.GetBytes(text));
}
