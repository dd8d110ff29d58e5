using System.ComponentModel.DataAnnotations;

namespace BotSystem.ApiGateway.SystemHealth;

/// <summary>How often the system health report is refreshed (configuration section <c>SystemHealth</c>).</summary>
public sealed class SystemHealthOptions
{
    public const string SectionName = "SystemHealth";

    [Range(typeof(TimeSpan), "00:00:00.200", "01:00:00")]
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>A queue whose oldest waiting job is older than this makes the system degraded.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan MaxOldestWaitingAge { get; set; } = TimeSpan.FromMinutes(5);
}
