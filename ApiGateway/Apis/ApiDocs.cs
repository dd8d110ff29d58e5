using Microsoft.OpenApi;
using Scalar.AspNetCore;

namespace BotSystem.ApiGateway.Apis;

public static class ApiDocs
{
    public const string Title = "BotSystem API";
    private const string ApiKeyScheme = "apiKey";
    private const string BearerScheme = "bearer";

    /// <summary>The OpenAPI document: what the API is, and that every operation takes an API key unless it says otherwise.</summary>
    public static IServiceCollection AddApiDocs(this IServiceCollection services) =>
        services.AddOpenApi(options => options.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = Title;
            document.Info.Description = "Invoke Python, Node.js and Java bots; follow their jobs; schedule and trigger invocations.";
            document.Components ??= new OpenApiComponents();
            document.Components.SecuritySchemes = new Dictionary<string, IOpenApiSecurityScheme>
            {
                [ApiKeyScheme] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.ApiKey, In = ParameterLocation.Header, Name = "X-Api-Key",
                    Description = "A client's API key, or the admin key for the Admin operations.",
                },
                [BearerScheme] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.Http, Scheme = "bearer",
                    Description = "The same key as Authorization: Bearer.",
                },
            };
            // Either scheme will do: two requirements, each of one scheme.
            document.Security =
            [
                new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(ApiKeyScheme, document)] = [] },
                new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(BearerScheme, document)] = [] },
            ];
            return Task.CompletedTask;
        }));

    /// <summary>Documents an operation as open to requests without an API key (they prove themselves otherwise).</summary>
    public static RouteHandlerBuilder WithoutApiKey(this RouteHandlerBuilder endpoint) =>
        endpoint.AddOpenApiOperationTransformer((operation, _, _) =>
        {
            operation.Security = [];
            return Task.CompletedTask;
        });

    /// <summary>Documents the endpoint's JSON body as an object of exactly <paramref name="fields"/>.</summary>
    public static RouteHandlerBuilder AcceptsJsonFields(this RouteHandlerBuilder endpoint, IReadOnlyList<RequestField> fields) =>
        endpoint.AddOpenApiOperationTransformer((operation, _, _) =>
        {
            operation.RequestBody = new OpenApiRequestBody
            {
                Required = true,
                Content = new Dictionary<string, OpenApiMediaType>
                {
                    ["application/json"] = new()
                    {
                        Schema = new OpenApiSchema
                        {
                            Type = JsonSchemaType.Object,
                            Properties = fields.ToDictionary(field => field.Name, IOpenApiSchema (field) => new OpenApiSchema { Type = field.Type, Description = field.Description }),
                            Required = fields.Where(field => field.Required).Select(field => field.Name).ToHashSet(),
                            AdditionalPropertiesAllowed = false,
                        },
                    },
                },
            };
            return Task.CompletedTask;
        });

    /// <summary>Documents an optional request header.</summary>
    public static RouteHandlerBuilder WithHeader(this RouteHandlerBuilder endpoint, string name, string description, int maxLength) =>
        endpoint.AddOpenApiOperationTransformer((operation, _, _) =>
        {
            operation.Parameters ??= [];
            operation.Parameters.Add(new OpenApiParameter
            {
                Name = name, In = ParameterLocation.Header, Description = description,
                Schema = new OpenApiSchema { Type = JsonSchemaType.String, MaxLength = maxLength },
            });
            return Task.CompletedTask;
        });

    /// <summary>
    /// The OpenAPI document at <c>/openapi/v1.json</c> and a reference UI at <c>/docs</c> that works offline: its
    /// script is served by the gateway, and the features that call other hosts (web fonts, hosted agents) are off.
    /// </summary>
    public static WebApplication MapApiDocs(this WebApplication app)
    {
        app.MapOpenApi();
        app.MapScalarApiReference("/docs", options => options
            .WithTitle(Title)
            .DisableDefaultFonts()
            .DisableAgent()
            .DisableMcp()
            .DisableTelemetry()
            .HideDeveloperTools()
            .HideClientButton()
            .ExpandAllTags());
        return app;
    }
}
