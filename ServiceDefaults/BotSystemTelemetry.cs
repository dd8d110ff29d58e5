using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// The one meter and activity source every BotSystem component reports through, so the service
/// defaults pick them up by name.
/// </summary>
public static class BotSystemTelemetry
{
    public const string Name = "BotSystem";

    public static readonly ActivitySource ActivitySource = new(Name);

    public static readonly Meter Meter = new(Name);
}
