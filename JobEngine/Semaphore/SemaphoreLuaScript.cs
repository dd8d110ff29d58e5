using System.Security.Cryptography;
using System.Text;
using StackExchange.Redis;

namespace BotSystem.JobEngine;

/// <summary>
/// One embedded semaphore script with the shared fragment prepended; called by SHA1, and sent in full
/// only when the server answers NOSCRIPT (first use, restart, failover), which caches it again.
/// </summary>
internal sealed class SemaphoreLuaScript
{
    private static readonly string Common = ReadResource("semaphore-common.lua");

    private readonly string _text;
    private readonly byte[] _sha1;

    public SemaphoreLuaScript(string fileName)
    {
        _text = Common + "\n" + ReadResource(fileName);
        _sha1 = SHA1.HashData(Encoding.UTF8.GetBytes(_text));
    }

    public async Task<RedisResult> EvaluateAsync(IDatabaseAsync database, RedisKey[] keys, RedisValue[] arguments)
    {
        try
        {
            return await database.ScriptEvaluateAsync(_sha1, keys, arguments);
        }
        catch (RedisServerException exception) when (exception.Message.StartsWith("NOSCRIPT", StringComparison.Ordinal))
        {
            return await database.ScriptEvaluateAsync(_text, keys, arguments);
        }
    }

    private static string ReadResource(string fileName)
    {
        var assembly = typeof(SemaphoreLuaScript).Assembly;
        // The resource name ends in the file name after the folder, written either as "Scripts." or "Scripts/".
        var resource = assembly.GetManifestResourceNames().Single(name =>
            name.EndsWith(fileName, StringComparison.Ordinal) && name.Length > fileName.Length && name[^(fileName.Length + 1)] is '.' or '/');
        using var stream = assembly.GetManifestResourceStream(resource)!;
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }
}
