using System.Security.Cryptography;
using System.Text;
using StackExchange.Redis;

namespace BotSystem.WebhookManager.Delivery;

/// <summary>
/// An embedded script of <c>Scripts/</c>, called by SHA1 and sent in full only when the server answers NOSCRIPT
/// (first use, restart, failover).
/// </summary>
public sealed class DeliveryScript
{
    private readonly string _text;
    private readonly byte[] _sha1;

    public DeliveryScript(string fileName)
    {
        var assembly = typeof(DeliveryScript).Assembly;
        using var stream = assembly.GetManifestResourceStream($"{assembly.GetName().Name}.Scripts.{fileName}")
            ?? throw new InvalidOperationException($"Script {fileName} is not embedded.");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        _text = reader.ReadToEnd();
        _sha1 = SHA1.HashData(Encoding.UTF8.GetBytes(_text));
    }

    public async Task<RedisResult> EvaluateAsync(IDatabaseAsync database, RedisKey[] keys, RedisValue[] arguments)
    {
        try
        {
            return await database.ScriptEvaluateAsync(_sha1, keys, arguments);
        }
        catch (RedisServerException e) when (e.Message.StartsWith("NOSCRIPT", StringComparison.Ordinal))
        {
            return await database.ScriptEvaluateAsync(_text, keys, arguments);
        }
    }
}
