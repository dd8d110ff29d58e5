namespace BotSystem.AppHost.Resources;

/// <summary>
/// Declares the resources of the system the way an Aspire AppHost does: Redis, projects with their
/// references (which become <c>ConnectionStrings__*</c> and <c>services__*</c> variables) and their
/// wait-for dependencies, and native executables such as Prometheus.
/// </summary>
public sealed class DistributedApplicationBuilder
{
    private static readonly ConsoleColor[] Colors =
        [ConsoleColor.Cyan, ConsoleColor.Green, ConsoleColor.Yellow, ConsoleColor.Magenta, ConsoleColor.Blue, ConsoleColor.DarkCyan, ConsoleColor.DarkYellow, ConsoleColor.DarkGreen];

    private readonly List<Resource> _resources = [];
    // Every name a setting may give: resources, including those skipped for want of their program, and the dashboard.
    private readonly HashSet<string> _names = new(StringComparer.OrdinalIgnoreCase) { "dashboard" };
    private readonly List<string> _projects = [];

    private DistributedApplicationBuilder(AppHostConfiguration configuration)
    {
        Configuration = configuration;
        // Given first, so the dashboard's port (18888 by default) is never handed to a resource that takes any free port.
        DashboardPort = configuration.PortForDashboard();
    }

    public AppHostConfiguration Configuration { get; }

    public int DashboardPort { get; }

    public IReadOnlyList<Resource> Resources => _resources;

    public List<string> Skipped { get; } = [];

    public static DistributedApplicationBuilder Create(string[] args)
    {
        var configuration = new ConfigurationBuilder()
            .AddEnvironmentVariables()
            .AddCommandLine(ReplicasArguments(args))
            .Build();
        return new DistributedApplicationBuilder(new AppHostConfiguration(configuration));
    }

    /// <summary>Redis from PATH (6379 when free) with AOF under <c>redis</c> in the data directory, or the given <c>ConnectionStrings__redis</c>.</summary>
    public RedisReference AddRedis(string name)
    {
        _names.Add(name);
        if (Configuration.ExternalRedis is { } external)
        {
            return new RedisReference(name, external, null);
        }
        var redisServer = AppHostConfiguration.FindOnPath("redis-server")
            ?? throw new AppHostException("redis-server is not on PATH.", "Install it (apt-get install -y redis-server; ./run.sh does this), or set ConnectionStrings__redis=host:port.");
        var port = Configuration.PortFor(name, LoopbackPorts.IsFree(6379) ? 6379 : 0);
        var dataDirectory = Directory.CreateDirectory(Path.Combine(Configuration.DataDirectory, "redis")).FullName;
        var resource = Add(new Resource(name, redisServer,
            ["--port", port.ToString(), "--bind", "127.0.0.1", "--dir", dataDirectory, "--appendonly", "yes", "--save", "", "--protected-mode", "no"],
            port, ResourceKind.Redis, NextColor()));
        return new RedisReference(name, $"localhost:{port}", resource);
    }

    /// <summary>
    /// A BotSystem service project (<c>dotnet &lt;Project&gt;.dll</c>), with as many replicas as configured. Its port variable
    /// (e.g. <c>API_GATEWAY_PORT</c>), when set, is the port of its first replica.
    /// </summary>
    public ProjectReference AddProject(string name, string project, string portVariable, int? defaultPort = null)
    {
        _projects.Add(name);
        _names.Add(name);
        var assembly = Path.Combine(Configuration.RepositoryRoot, project, "bin", Configuration.BuildConfiguration, "net10.0", project + ".dll");
        if (!File.Exists(assembly))
        {
            throw new AppHostException($"{assembly} does not exist.", "Build the solution first (./run.sh does: dotnet build BotSystem.sln).");
        }
        var replicas = Configuration.ReplicasOf(name);
        var firstPort = Configuration.ServicePort(portVariable) ?? defaultPort;
        var instances = new List<Resource>();
        for (var replica = 0; replica < replicas; replica++)
        {
            var resourceName = replicas == 1 ? name : $"{name}-{replica + 1}";
            _names.Add(resourceName);
            var port = replica == 0 && firstPort is { } fixedPort ? Configuration.PortFor(name, fixedPort) : Configuration.PortFor(resourceName, 0);
            var resource = Add(new Resource(resourceName, "dotnet", [assembly], port, ResourceKind.Project, NextColor(), Path.GetDirectoryName(assembly)))
                // Set, the variable would win over ASPNETCORE_URLS: the service would listen on every interface, and on a
                // port other than the one the AppHost watches and tells the other services.
                .WithoutEnvironment(portVariable)
                .WithEnvironment("ASPNETCORE_URLS", $"http://localhost:{port}")
                .WithEnvironment("ASPNETCORE_ENVIRONMENT", Configuration.EnvironmentName)
                .WithEnvironment("OTEL_SERVICE_NAME", name)
                .WithEnvironment("OTEL_RESOURCE_ATTRIBUTES", $"service.instance.id={Guid.NewGuid():N}")
                .WithEnvironment("DOTNET_NOLOGO", "1");
            if (Configuration.OtlpEndpoint is { } otlp)
            {
                resource.WithEnvironment("OTEL_EXPORTER_OTLP_ENDPOINT", otlp).WithEnvironment("OTEL_EXPORTER_OTLP_PROTOCOL", Configuration.OtlpProtocol);
            }
            if (Configuration.EnvironmentName == "Development")
            {
                resource.WithEnvironment("OTEL_BSP_SCHEDULE_DELAY", "1000")
                    .WithEnvironment("OTEL_BLRP_SCHEDULE_DELAY", "1000")
                    .WithEnvironment("OTEL_METRIC_EXPORT_INTERVAL", "1000");
            }
            instances.Add(resource);
        }
        return new ProjectReference(name, instances);
    }

    /// <summary>A native program (e.g. prometheus) when it is on PATH; otherwise noted as skipped and null.</summary>
    public Resource? AddExecutableIfPresent(string name, string executable, ResourceKind kind, int defaultPort, Func<int, IEnumerable<string>> arguments, string whyUseful)
    {
        _names.Add(name);
        if (AppHostConfiguration.FindOnPath(executable) is not { } path)
        {
            Skipped.Add($"{name}: '{executable}' is not on PATH ({whyUseful}; apt-get install -y {executable}).");
            return null;
        }
        var port = Configuration.PortFor(name, LoopbackPorts.IsFree(defaultPort) ? defaultPort : 0);
        return Add(new Resource(name, path, arguments(port), port, kind, NextColor()));
    }

    public DistributedApplication Build()
    {
        Configuration.RefuseUnknownNames(_names, _projects);
        return new(this);
    }

    private Resource Add(Resource resource)
    {
        _resources.Add(resource);
        return resource;
    }

    private ConsoleColor NextColor() => Colors[_resources.Count % Colors.Length];

    /// <summary>Turns <c>--replicas workers=3</c> into the configuration key <c>Replicas:workers</c>.</summary>
    private static string[] ReplicasArguments(string[] args)
    {
        var result = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] == "--replicas" && i + 1 < args.Length && args[i + 1].Split('=') is [var resource, var count])
            {
                result.Add($"--Replicas:{resource.ToLowerInvariant()}={count}");
                i++;
            }
            else
            {
                result.Add(args[i]);
            }
        }
        return [.. result];
    }
}

/// <summary>Redis as other resources reference it: a connection string, and the resource to wait for when we run it.</summary>
public sealed record RedisReference(string Name, string ConnectionString, Resource? Resource);

/// <summary>A project's replicas, as other resources reference it.</summary>
public sealed class ProjectReference(string name, IReadOnlyList<Resource> instances)
{
    public string Name { get; } = name;

    public IReadOnlyList<Resource> Instances { get; } = instances;

    public ProjectReference WithReference(RedisReference redis)
    {
        foreach (var instance in Instances)
        {
            instance.WithEnvironment($"ConnectionStrings__{redis.Name}", redis.ConnectionString);
            if (redis.Resource is not null)
            {
                instance.WaitFor(redis.Resource);
            }
        }
        return this;
    }

    /// <summary>Tells every instance where <paramref name="service"/> is (<c>services__name__http__N</c>) and waits for it.</summary>
    public ProjectReference WithReference(ProjectReference service)
    {
        foreach (var instance in Instances)
        {
            for (var i = 0; i < service.Instances.Count; i++)
            {
                instance.WithEnvironment($"services__{service.Name}__http__{i}", service.Instances[i].Url);
                instance.WaitFor(service.Instances[i]);
            }
        }
        return this;
    }

    public ProjectReference WithEnvironment(string name, string value)
    {
        foreach (var instance in Instances)
        {
            instance.WithEnvironment(name, value);
        }
        return this;
    }
}
