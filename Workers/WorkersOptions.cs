using System.ComponentModel.DataAnnotations;
using BotSystem.Contracts;
using BotSystem.Workers.Runners;

namespace BotSystem.Workers;

/// <summary>What this runner process serves and the limits every bot runs under (section <c>Workers</c>).</summary>
public sealed class WorkersOptions : IValidatableObject
{
    public const string SectionName = "Workers";

    /// <summary>The bot types served (all when empty); <c>--types python,node</c> on the command line overrides it.</summary>
    public List<string> Types { get; set; } = [];

    [Range(1, 1_000)]
    public int PythonConcurrency { get; set; } = 5;

    [Range(1, 1_000)]
    public int NodeConcurrency { get; set; } = 10;

    [Range(1, 1_000)]
    public int JavaConcurrency { get; set; } = 3;

    /// <summary>The longest a bot may run, whatever its invocation asks.</summary>
    [Range(1, 86_400)]
    public int MaxTimeoutSeconds { get; set; } = 600;

    /// <summary>The longest javac may take to compile a Java bot before it is killed and the job's attempt fails.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:30:00")]
    public TimeSpan JavaCompileTimeout { get; set; } = TimeSpan.FromMinutes(2);

    [Range(16, 65_536)]
    public int MemoryLimitMb { get; set; } = 1024;

    /// <summary>
    /// Processes (threads count too) a bot may start. RLIMIT_NPROC counts all of a user's, so a bot may start this many
    /// on top of those its user runs when it starts. Run as root, where RLIMIT_NPROC does not bind, the bots of this
    /// worker together are held to this times their concurrency through a pids cgroup.
    /// </summary>
    [Range(1, 100_000)]
    public int MaxProcesses { get; set; } = 256;

    /// <summary>Output a bot may write before the rest is dropped.</summary>
    [Range(1_024, 1_073_741_824)]
    public int MaxOutputBytes { get; set; } = 1024 * 1024;

    [Range(16, 16 * 1024 * 1024)]
    public int MaxResultBytes { get; set; } = 256 * 1024;

    /// <summary>Where the bots live; by default the <c>bots</c> folder next to the service.</summary>
    public string BotsDirectory { get; set; } = Path.Combine(AppContext.BaseDirectory, "bots");

    /// <summary>Where the warm hosts of each language live; by default the <c>hosts</c> folder next to the service.</summary>
    public string HostsDirectory { get; set; } = Path.Combine(AppContext.BaseDirectory, "hosts");

    /// <summary>Whether bots whose manifest asks for warm mode get it; false runs every bot cold.</summary>
    public bool WarmHosts { get; set; } = true;

    [Range(typeof(TimeSpan), "00:00:00.200", "00:10:00")]
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(5);

    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan ShutdownDeadline { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>
    /// How long a bot job's lock lasts unrenewed, and how often the workers look for jobs whose lock ran out: a worker
    /// killed outright has its running jobs taken up again after about the lock time plus up to two such intervals.
    /// Shorter returns them sooner; a worker too busy to renew its locks within the lock time would lose jobs it runs.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan LockDuration { get; set; } = TimeSpan.FromSeconds(30);

    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan StalledInterval { get; set; } = TimeSpan.FromSeconds(30);

    public int ConcurrencyOf(string botType) => botType switch
    {
        BotTypes.Python => PythonConcurrency,
        BotTypes.Node => NodeConcurrency,
        _ => JavaConcurrency,
    };

    public int MaxProcessesOfAllBots =>
        MaxProcesses * (Types.Count == 0 ? BotTypes.All : Types).Sum(ConcurrencyOf);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var type in Types.Where(type => !BotTypes.IsKnown(type)))
        {
            yield return new ValidationResult($"Workers:Types has the unknown bot type '{type}'; use {string.Join(", ", BotTypes.All)}.", [nameof(Types)]);
        }
        if (!Directory.Exists(BotsDirectory))
        {
            yield return new ValidationResult($"Workers:BotsDirectory '{BotsDirectory}' does not exist.", [nameof(BotsDirectory)]);
            yield break;
        }
        foreach (var manifest in Directory.EnumerateFiles(BotsDirectory, "*" + BotManifest.FileSuffix, SearchOption.AllDirectories))
        {
            var problem = ManifestProblem(manifest);
            if (problem is not null)
            {
                yield return new ValidationResult(problem, [nameof(BotsDirectory)]);
            }
        }
        if (WarmHosts && !Directory.Exists(HostsDirectory))
        {
            yield return new ValidationResult($"Workers:HostsDirectory '{HostsDirectory}' does not exist.", [nameof(HostsDirectory)]);
        }
    }

    private static string? ManifestProblem(string path)
    {
        try
        {
            BotManifest.Load(path);
            return null;
        }
        catch (InvalidDataException ex)
        {
            return ex.Message;
        }
    }
}
