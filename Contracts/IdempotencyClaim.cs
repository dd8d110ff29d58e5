using System.Security.Cryptography;
using System.Text;

namespace BotSystem.Contracts;

/// <summary>
/// An <c>Idempotency-Key</c> claimed by the first <c>/invoke</c> that carried it: a Redis string holding the digest of
/// that request's body and the job id it was given, so a repeat gets the same job and another body is a conflict.
/// </summary>
public static class IdempotencyClaim
{
    public static string Key(string clientId, string idempotencyKey) =>
        $"botsystem:idempotency:{clientId}:{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(idempotencyKey)))}";

    public static string Value(byte[] body, string jobId) => $"{BodyDigest(body)}|{jobId}";

    /// <summary>The job id of a claim made for the same body, or null when the claim was made for another body.</summary>
    public static string? JobIdFor(string? claim, byte[] body) =>
        claim?.Split('|') is [var digest, var jobId] && digest == BodyDigest(body) ? jobId : null;

    private static string BodyDigest(byte[] body) => Convert.ToHexStringLower(SHA256.HashData(body));
}
