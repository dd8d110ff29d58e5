using System.Buffers;
using System.Text;
using System.Text.Json;

namespace BotSystem.Contracts;

/// <summary>
/// Finds JSON text whose strings are not Unicode. The parser takes invalid UTF-8 and escapes of half a surrogate
/// pair ("\ud800") as they come, and only reading such a string throws, far from where the text came in; text that
/// crosses into the system (a request body, a bot's message) is checked here first.
/// </summary>
public static class UnicodeJson
{
    /// <summary>Where the first string (value or property name) that is not Unicode text starts, or null when there is none.</summary>
    /// <exception cref="JsonException">The text is not JSON.</exception>
    public static long? FirstInvalidString(ReadOnlySpan<byte> utf8Json)
    {
        var reader = new Utf8JsonReader(utf8Json);
        var text = ArrayPool<char>.Shared.Rent(Math.Max(1, utf8Json.Length));
        try
        {
            while (reader.Read())
            {
                // Plain ASCII without escapes is always text; only the others are decoded to find out.
                if (reader.TokenType is JsonTokenType.String or JsonTokenType.PropertyName
                    && (reader.ValueIsEscaped || !Ascii.IsValid(reader.ValueSpan)))
                {
                    try
                    {
                        reader.CopyString(text);
                    }
                    catch (InvalidOperationException)
                    {
                        return reader.TokenStartIndex;
                    }
                }
            }
            return null;
        }
        finally
        {
            ArrayPool<char>.Shared.Return(text);
        }
    }
}
