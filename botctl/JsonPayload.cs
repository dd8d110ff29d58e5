using System.Text.Json;
using System.Text.Json.Nodes;

namespace BotSystem.Botctl;

public static class JsonPayload
{
    /// <summary>A JSON object given inline or as <c>@file</c>.</summary>
    public static JsonObject Parse(string payload)
    {
        var text = payload.StartsWith('@') ? File.ReadAllText(payload[1..]) : payload;
        try
        {
            return JsonNode.Parse(text) as JsonObject ?? throw new GatewayException("--payload must be a JSON object.");
        }
        catch (JsonException ex)
        {
            throw new GatewayException($"--payload is not valid JSON: {ex.Message}");
        }
    }
}
