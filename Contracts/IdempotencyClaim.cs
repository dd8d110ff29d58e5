using System.Security.Cryptography;
using System.Text;

namespace BotSystem.Contracts;

/// <summary>
/// A request's claim to be the first of its kind: an <c>Idempotency-Key</c> of <c>/invoke</c>, or the <c>webhook-id</c>
/// of a trigger's request. A Redis string holds the digest of the first request's body and the job id it was given,
/// so a repeat gets the same job and another body is a conflict.
/// </summary>
public static class IdempotencyClaim
{
    public static string Key(string clientId, string idempotencyKey) => $"botsystem:idempotency:{clientId}:{Digest(idempotencyKey)}";

    public static string TriggerKey(string triggerId, string messageId) => $"botsystem:trigger-seen:{triggerId}:{Digest(messageId)}";

    public static string Value(byte[] body, string jobId) => $"{BodyDigest(body)}|{jobId}";

    /// <summary>The job id of a claim made for the same body, or null when the claim was made for another body.</summary>
    public static string? JobIdFor(string? claim, byte[] body) =>
        claim?.Split('|') is [var digest, var jobId] && digest == BodyDigest(body) ? jobId : null;

    private static string BodyDigest(byte[] body) => Convert.ToHexStringLower(SHA256.HashData(body));

    private static string Digest(string text) => BodyDigest(Encoding.UTF8.GetBytes(text));
}
