using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;

namespace Microsoft.Extensions.Hosting;

public static class ListenPortExtensions
{
    /// <summary>
    /// Binds the service to its well-known port variable (e.g. <c>API_GATEWAY_PORT</c>) when set;
    /// otherwise to <c>ASPNETCORE_URLS</c> as given by the AppHost; otherwise to the default port.
    /// </summary>
    public static WebApplicationBuilder UseServicePort(this WebApplicationBuilder builder, string portVariable, int defaultPort)
    {
        var configured = builder.Configuration[portVariable];
        if (configured is not null)
        {
            if (!int.TryParse(configured, out var port) || port is < 1 or > 65535)
            {
                throw new InvalidOperationException($"{portVariable} must be a port number from 1 to 65535, not '{configured}'.");
            }
            builder.WebHost.UseUrls($"http://0.0.0.0:{port}");
        }
        else if (string.IsNullOrEmpty(builder.Configuration[WebHostDefaults.ServerUrlsKey]))
        {
            builder.WebHost.UseUrls($"http://0.0.0.0:{defaultPort}");
        }
        return builder;
    }
}
