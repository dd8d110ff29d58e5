using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using StackExchange.Redis;

namespace BotSystem.JobEngine;

/// <summary>
/// A Lua script called by SHA1 and sent in full only when the server answers NOSCRIPT (first use, restart,
/// failover), which caches it again.
/// </summary>
public sealed class CachedLuaScript
{
    private readonly string _text;
    private readonly byte[] _sha1;

    /// <summary>A script of this source text.</summary>
    public CachedLuaScript(string text)
    {
        _text = text;
        _sha1 = SHA1.HashData(Encoding.UTF8.GetBytes(text));
    }

    /// <summary>The script embedded in <paramref name="assembly"/> whose resource name ends in <paramref name="fileName"/>.</summary>
    public static string ReadEmbedded(Assembly assembly, string fileName)
    {
        // The resource name ends in the file name after the folder, written either as "Scripts." or "Scripts/".
        var resource = assembly.GetManifestResourceNames().SingleOrDefault(name =>
            name.EndsWith(fileName, StringComparison.Ordinal) && name.Length > fileName.Length && name[^(fileName.Length + 1)] is '.' or '/')
            ?? throw new InvalidOperationException($"Script {fileName} is not embedded in {assembly.GetName().Name}.");
        using var stream = assembly.GetManifestResourceStream(resource)!;
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }

    /// <summary>Runs the script with these keys and arguments.</summary>
    public async Task<RedisResult> EvaluateAsync(IDatabaseAsync database, RedisKey[] keys, RedisValue[] arguments)
    {
        try
        {
            return await database.ScriptEvaluateAsync(_sha1, keys, arguments).ConfigureAwait(false);
        }
        catch (RedisServerException exception) when (exception.Message.StartsWith("NOSCRIPT", StringComparison.Ordinal))
        {
            return await database.ScriptEvaluateAsync(_text, keys, arguments).ConfigureAwait(false);
        }
    }
}
