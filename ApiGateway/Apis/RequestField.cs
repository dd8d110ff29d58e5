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

public static class RequestFieldDocs
{
    /// <summary>Documents the endpoint's JSON body as an object of exactly <paramref name="fields"/>.</summary>
    public static RouteHandlerBuilder AcceptsJsonFields(this RouteHandlerBuilder endpoint, IReadOnlyList<RequestField> fields) =>
        endpoint.AddOpenApiOperationTransformer((operation, _, _) =>
        {
            operation.RequestBody = new OpenApiRequestBody
            {
                Required = true,
                Content = new Dictionary<string, OpenApiMediaType>
                {
                    ["application/json"] = new() { Schema = Schema(fields) },
                },
            };
            return Task.CompletedTask;
        });

    private static OpenApiSchema Schema(IReadOnlyList<RequestField> fields) => new()
    {
        Type = JsonSchemaType.Object,
        Properties = fields.ToDictionary(field => field.Name, IOpenApiSchema (field) => new OpenApiSchema { Type = field.Type, Description = field.Description }),
        Required = fields.Where(field => field.Required).Select(field => field.Name).ToHashSet(),
        AdditionalPropertiesAllowed = false,
    };
}
