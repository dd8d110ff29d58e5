using System.Buffers;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Nodes;
using BotSystem.ApiGateway.Invocations;
using BotSystem.Contracts;

namespace BotSystem.ApiGateway.Apis;

/// <summary>Reads a JSON request body within the configured size limit, answering what is wrong with it as a problem.</summary>
internal static class JsonRequestBody
{
    private const int ChunkBytes = 16 * 1024;

    // A repeated property would otherwise parse and then fail on first access, far from here.
    private static readonly JsonDocumentOptions StrictJson = new() { AllowDuplicateProperties = false };

    private static ReadOnlySpan<byte> Utf8ByteOrderMark => [0xEF, 0xBB, 0xBF];

    public sealed record Outcome(byte[] Bytes, JsonNode? Json, IResult? Problem);

    public static async Task<Outcome> ReadAsync(HttpContext context, GatewayOptions options)
    {
        if (!IsJson(context.Request.ContentType))
        {
            return Refused(Invalid("contentType", "The request body must be application/json."));
        }
        var limit = options.MaxRequestBytes;
        if (context.Request.ContentLength > limit)
        {
            return Refused(TooLarge(limit));
        }
        var bytes = context.Request.ContentLength is { } length
            ? await ReadExactlyAsync(context, (int)length)
            : await ReadChunkedAsync(context, limit);
        if (bytes is null)
        {
            return Refused(TooLarge(limit));
        }
        // A byte order mark is not JSON, but some clients write one (as the runtime's own body binding, it is skipped);
        // the bytes as sent are kept, since a trigger's signature covers them.
        var json = bytes.AsSpan().StartsWith(Utf8ByteOrderMark) ? bytes.AsSpan(Utf8ByteOrderMark.Length) : bytes;
        try
        {
            if (UnicodeJson.FirstInvalidString(json) is { } where)
            {
                return Refused(Invalid("body", $"Malformed JSON: the string at byte {where + bytes.Length - json.Length} is not valid UTF-8, or escapes half of a surrogate pair (\\ud800 without its \\udc00)."));
            }
            return new Outcome(bytes, JsonNode.Parse(json, documentOptions: StrictJson), null);
        }
        catch (JsonException ex)
        {
            return Refused(Invalid("body", $"Malformed JSON: {ex.Message}"));
        }
    }

    /// <summary>A body of announced length is read straight into an array of that size.</summary>
    private static async Task<byte[]> ReadExactlyAsync(HttpContext context, int length)
    {
        var bytes = new byte[length];
        await context.Request.Body.ReadExactlyAsync(bytes, context.RequestAborted);
        return bytes;
    }

    /// <summary>A body of unknown length is read in pooled chunks until it ends or passes the limit (then null).</summary>
    private static async Task<byte[]?> ReadChunkedAsync(HttpContext context, int limit)
    {
        using var buffer = new MemoryStream();
        var chunk = ArrayPool<byte>.Shared.Rent(ChunkBytes);
        try
        {
            int read;
            while ((read = await context.Request.Body.ReadAsync(chunk, context.RequestAborted)) > 0)
            {
                buffer.Write(chunk, 0, read);
                if (buffer.Length > limit)
                {
                    return null;
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }
        return buffer.ToArray();
    }

    // application/json, or a JSON-based type named with the +json suffix (RFC 6839), parameters aside: not every
    // type that begins with "application/json" (application/json-seq is a sequence of texts, not one).
    private static bool IsJson(string? contentType) =>
        MediaTypeHeaderValue.TryParse(contentType, out var parsed) && parsed.MediaType is { } type
        && (type.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || (type.StartsWith("application/", StringComparison.OrdinalIgnoreCase) && type.EndsWith("+json", StringComparison.OrdinalIgnoreCase)));

    private static Outcome Refused(IResult problem) => new([], null, problem);

    private static IResult Invalid(string field, string message) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] });

    private static IResult TooLarge(int limit) =>
        TypedResults.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "The request body is too large.", detail: $"At most {limit} bytes are accepted.");
}
