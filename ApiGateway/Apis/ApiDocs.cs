using Scalar.AspNetCore;

namespace BotSystem.ApiGateway.Apis;

public static class ApiDocs
{
    public const string Title = "BotSystem API";

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
