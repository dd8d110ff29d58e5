using System.Security.Cryptography;
using System.Text;

namespace BotSystem.Contracts;

/// <summary>
/// The Redis list of the invocations of one client that share an <c>orderingKey</c>, in arrival order: only the
/// head runs, so a group runs one at a time like a FIFO message group while other groups run in parallel.
/// </summary>
public static class OrderingLine
{
    public static string? Key(string clientId, string? orderingKey) =>
        orderingKey is null ? null : $"botsystem:ordering:{clientId}:{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(orderingKey)))}";
}
