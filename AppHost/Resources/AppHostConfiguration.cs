using System.Globalization;

namespace BotSystem.AppHost.Resources;

/// <summary>
/// Where things are and which ports they get: <c>--Ports:&lt;resource&gt;=N</c> (0 picks a free port),
/// <c>--Replicas:&lt;resource&gt;=N</c> (or <c>--replicas workers=3</c>), <c>--Dashboard:Port=N</c>,
/// <c>ConnectionStrings__redis</c> for an external Redis, <c>--DataDirectory=path</c> for the state of
/// Redis, Prometheus and Alertmanager, <c>--Prometheus:AlertRules=file</c> for other alert rules.
/// </summary>
public sealed class AppHostConfiguration(IConfiguration configuration)
{
    // Which resource each port went to. A port given twice passes the check of what listens on it, as no resource runs
    // yet, and the later resource would fail to bind it, restarted without end.
    private readonly Dictionary<int, string> _portOwners = [];

    public string RepositoryRoot { get; } = FindRepositoryRoot();

    public string BuildConfiguration { get; } =
        AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}") ? "Release" : "Debug";

    public string EnvironmentName => configuration["Environment"] ?? "Development";

    public string? ExternalRedis => configuration.GetConnectionString("redis");

    public string? OtlpEndpoint => configuration["OTEL_EXPORTER_OTLP_ENDPOINT"];

    /// <summary>How the services export to <see cref="OtlpEndpoint"/>: as configured, <c>grpc</c> unless set.</summary>
    public string OtlpProtocol
    {
        get
        {
            var protocol = configuration["OTEL_EXPORTER_OTLP_PROTOCOL"] ?? "grpc";
            return protocol is "grpc" or "http/protobuf"
                ? protocol
                : throw new AppHostException($"OTEL_EXPORTER_OTLP_PROTOCOL must be grpc or http/protobuf, not '{protocol}'.",
                    "Fix OTEL_EXPORTER_OTLP_PROTOCOL, or unset it for grpc.");
        }
    }

    /// <summary>Where Redis, Prometheus and Alertmanager keep their state; <c>.data</c> in the repository unless configured.</summary>
    public string DataDirectory =>
        configuration["DataDirectory"] is { Length: > 0 } configured ? Path.GetFullPath(configured) : Path.Combine(RepositoryRoot, ".data");

    /// <summary>The alert rules Prometheus evaluates; <c>deploy/prometheus/alert-rules.yml</c> unless configured.</summary>
    public string AlertRulesFile
    {
        get
        {
            if (configuration["Prometheus:AlertRules"] is not { Length: > 0 } configured)
            {
                return Path.Combine(RepositoryRoot, "deploy", "prometheus", "alert-rules.yml");
            }
            var file = Path.GetFullPath(configured);
            return File.Exists(file)
                ? file
                : throw new AppHostException($"Prometheus:AlertRules names {file}, which does not exist.", "Fix --Prometheus:AlertRules, or leave it out for deploy/prometheus/alert-rules.yml.");
        }
    }

    public int PortForDashboard() => PortFor("dashboard", WholeNumber("Dashboard:Port", 18888, "Fix --Dashboard:Port."));

    /// <summary>The port a service's own variable (e.g. <c>API_GATEWAY_PORT</c>) asks for; null when it is not set.</summary>
    public int? ServicePort(string variable)
    {
        if (configuration[variable] is null)
        {
            return null;
        }
        var port = WholeNumber(variable, 0, $"Fix {variable}, or unset it.");
        return port is >= 1 and <= 65535
            ? port
            : throw new AppHostException($"{variable} must be a port number from 1 to 65535, not {port}.", $"Fix {variable}, or unset it.");
    }

    public int ReplicasOf(string resource)
    {
        var replicas = WholeNumber($"Replicas:{resource}", 1, "Fix --replicas.");
        return replicas is >= 1 and <= 32 ? replicas : throw new AppHostException($"Replicas:{resource} must be from 1 to 32, not {replicas}.", "Fix --replicas.");
    }

    /// <summary>The port of a resource: configured, else its default; 0 (or a taken default of a port-less service) means a free one.</summary>
    public int PortFor(string resource, int defaultPort)
    {
        var port = WholeNumber($"Ports:{resource}", defaultPort, $"Fix --Ports:{resource}.");
        if (port is < 0 or > 65535)
        {
            throw new AppHostException($"Ports:{resource} must be a port number, not {port}.", $"Fix --Ports:{resource}.");
        }
        if (port == 0)
        {
            port = LoopbackPorts.Next();
        }
        else if (_portOwners.TryGetValue(port, out var owner))
        {
            throw new AppHostException($"Port {port} is given to both {owner} and {resource}.",
                $"Choose another with --Ports:{resource}=<port> (0 for any free port).");
        }
        else if (LoopbackPorts.IsFree(port))
        {
            LoopbackPorts.Reserve(port);
        }
        else
        {
            throw new AppHostException($"Port {port} for {resource} is already in use.",
                $"Stop what listens on {port} (e.g. a previous ./run.sh), or choose another with --Ports:{resource}=<port> (0 for any free port).");
        }
        _portOwners[port] = resource;
        return port;
    }

    /// <summary>Refuses <c>--Ports:</c> and <c>--replicas</c> settings that name no resource: a misspelt name would be ignored.</summary>
    public void RefuseUnknownNames(IReadOnlyCollection<string> resources, IReadOnlyCollection<string> projects)
    {
        foreach (var (section, known, fix) in new[] { ("Ports", resources, "--Ports:<resource>"), ("Replicas", projects, "--replicas <service>=N") })
        {
            if (configuration.GetSection(section).GetChildren().FirstOrDefault(setting => !known.Contains(setting.Key, StringComparer.OrdinalIgnoreCase)) is { } unknown)
            {
                throw new AppHostException($"{section}:{unknown.Key} names no resource of this system.", $"Use {fix} with one of: {string.Join(", ", known)}.");
            }
        }
    }

    private int WholeNumber(string key, int fallback, string fix) =>
        configuration[key] switch
        {
            null => fallback,
            var text when int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number) => number,
            var text => throw new AppHostException($"{key} must be a whole number, not '{text}'.", fix),
        };

    public static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
            .Select(directory => Path.Combine(directory, name))
            .FirstOrDefault(File.Exists);

    private static string FindRepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "BotSystem.sln")))
            {
                return directory.FullName;
            }
        }
        throw new AppHostException("BotSystem.sln was not found above " + AppContext.BaseDirectory + ".", "Run the AppHost from the repository (./run.sh).");
    }
}
