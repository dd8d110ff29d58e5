using System.Security.Cryptography;
using System.Text;

namespace BotSystem.Contracts;

/// <summary>Invocation ids: unguessable, and the same for every retry of one invocation.</summary>
public static class InvocationIds
{
    private const string Prefix = "inv_";

    public static string New() => Prefix + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    /// <summary>
    /// The invocation id of an <c>invocations</c> job: the job id itself, or for a schedule's run (whose job id the
    /// engine makes from the schedule and the slot) a digest of it, so each slot is one invocation.
    /// </summary>
    public static string Of(string invocationJobId) =>
        invocationJobId.StartsWith(Prefix, StringComparison.Ordinal)
            ? invocationJobId
            : Prefix + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(invocationJobId)).AsSpan(0, 16));
}
