using BotSystem.JobEngine;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Microsoft.AspNetCore.Builder;

/// <summary>
/// Notes a request answered 503 because Redis is out, in one line: the outage is no fault of the service's code, and
/// a stack trace per request would bury it. Leaves the answer to the problem details.
/// </summary>
internal sealed class RedisOutageLog(ILogger<RedisOutageLog> logger) : IExceptionHandler
{
    public ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (RedisOutage.Is(exception))
        {
            logger.LogWarning("{Method} {Path} answered 503, Redis being out: {Reason}", httpContext.Request.Method, httpContext.Request.Path, exception.Message);
        }
        return ValueTask.FromResult(false);
    }
}
