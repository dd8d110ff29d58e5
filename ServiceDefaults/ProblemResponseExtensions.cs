using System.Text.Json;
using System.Text.RegularExpressions;
using BotSystem.JobEngine;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Microsoft.AspNetCore.Builder;

public static partial class ProblemResponseExtensions
{
    private const string RetryAfterRedisOutage = "5";
    // What the serializer says of a field that a body type refusing unknown members does not have.
    private const string UnmappedMember = "could not be mapped to any .NET member";

    /// <summary>
    /// Problem details for every error answer. A request the framework could not bind names what it could not read
    /// in <c>errors</c>, as the services' own validation does: the query parameter, or the JSON field of the body.
    /// </summary>
    public static IHostApplicationBuilder AddProblemResponses(this IHostApplicationBuilder builder)
    {
        builder.Services.AddProblemDetails(options => options.CustomizeProblemDetails = context =>
        {
            if (context.Exception is BadHttpRequestException bad && BindingFailure(bad) is var (field, message))
            {
                context.ProblemDetails.Title = "One or more validation errors occurred.";
                context.ProblemDetails.Extensions["errors"] = new Dictionary<string, string[]> { [field] = [message] };
            }
            else if (context.Exception is JobDataTooLargeException tooLarge)
            {
                // A body within the request limit can still make more job data than the engine takes: JSON escapes some
                // characters in many bytes.
                context.ProblemDetails.Title = "The request makes a job too large to queue.";
                context.ProblemDetails.Detail = $"Its job data is {tooLarge.Bytes} bytes as JSON, over the limit of {tooLarge.MaxBytes} bytes; "
                    + "JSON writes each character outside the Basic Multilingual Plane, such as an emoji, as a 12-byte escape.";
            }
            else if (context.Exception is { } exception && RedisOutage.Is(exception))
            {
                context.ProblemDetails.Title = "Service unavailable";
                context.ProblemDetails.Detail = "Redis, where this service keeps its state, is unreachable, did not answer in time or refused the request for now "
                    + "(loading, failing over, out of memory or unable to write its disk). "
                    + "Retry later; a request that changes something may or may not have been applied, so retry it with the same Idempotency-Key where one is taken.";
                context.HttpContext.Response.Headers.RetryAfter = RetryAfterRedisOutage;
            }
        });
        builder.Services.AddExceptionHandler<RedisOutageLog>();
        // Binding failures throw in every environment (by default only in development), so the handler above sees them.
        builder.Services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);
        return builder;
    }

    /// <summary>
    /// Answers errors as problem details: a request the framework could not bind (bad JSON) is a 400, one that makes job
    /// data larger than the engine takes a 413, and an outage of Redis a 503 with Retry-After, not a 500.
    /// </summary>
    public static WebApplication UseProblemResponses(this WebApplication app)
    {
        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            StatusCodeSelector = exception => exception switch
            {
                BadHttpRequestException bad => bad.StatusCode,
                JobDataTooLargeException => StatusCodes.Status413PayloadTooLarge,
                _ when RedisOutage.Is(exception) => StatusCodes.Status503ServiceUnavailable,
                _ => StatusCodes.Status500InternalServerError,
            },
            // A client's bad request is answered, not an error of the service to log; an outage of Redis is told in one line.
            SuppressDiagnosticsCallback = context => context.Exception is BadHttpRequestException or JobDataTooLargeException || RedisOutage.Is(context.Exception),
        });
        app.UseStatusCodePages();
        return app;
    }

    private static (string Field, string Message)? BindingFailure(BadHttpRequestException bad)
    {
        if (bad.InnerException is JsonException json)
        {
            return json.Path is null or "$"
                ? ("body", "Malformed JSON, or not the JSON object expected.")
                : (json.Path.TrimStart('$', '.'), json.Message.Contains(UnmappedMember, StringComparison.Ordinal) ? "Unknown field." : $"Not a valid value{TypeHint(json.Message)}.");
        }
        if (BoundValue().Match(bad.Message) is { Success: true } bound)
        {
            return (bound.Groups["name"].Value, $"'{bound.Groups["value"].Value}' is not a valid value.");
        }
        return bad.Message.Contains("no body was provided", StringComparison.Ordinal) ? ("body", "A JSON body is required.") : null;
    }

    // "The JSON value could not be converted to System.Int32. Path: ..." names the type the field takes.
    private static string TypeHint(string message) =>
        ConvertedType().Match(message) is { Success: true } type ? $"; expected {type.Groups["type"].Value}" : "";

    // The framework quotes the parameter as "Type name": Failed to bind parameter "int? limit" from "abc".
    [GeneratedRegex("parameter \"(?:[^\"]* )?(?<name>[A-Za-z_][A-Za-z0-9_]*)\" from \"(?<value>.*)\"")]
    private static partial Regex BoundValue();

    [GeneratedRegex(@"converted to (?:System\.)?(?<type>[\w.\[\]`]+)\.")]
    private static partial Regex ConvertedType();
}
