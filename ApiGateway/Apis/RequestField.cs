using System.Text.Json.Nodes;
using Microsoft.OpenApi;

namespace BotSystem.ApiGateway.Apis;

/// <summary>
/// A field of a JSON request body: what the parser accepts (a field not listed is refused) and what the OpenAPI
/// document says of it, from one list.
/// </summary>
public sealed record RequestField(string Name, JsonSchemaType Type, string Description, bool Required = false)
{
    /// <summary>The body's fields that are not among <paramref name="fields"/>, each as a problem naming it.</summary>
    public static void RefuseUnknown(JsonObject body, IReadOnlyList<RequestField> fields, Dictionary<string, string[]> errors)
    {
        foreach (var (name, _) in body)
        {
            if (fields.Any(field => field.Name == name))
            {
                continue;
            }
            errors[name] = [fields.FirstOrDefault(field => string.Equals(field.Name, name, StringComparison.OrdinalIgnoreCase)) is { } meant
                ? $"Unknown field; did you mean '{meant.Name}'?"
                : $"Unknown field; the fields are {string.Join(", ", fields.Select(field => field.Name))}."];
        }
    }
}
