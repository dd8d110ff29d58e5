using BotSystem.AppHost.Resources;

try
{
    var builder = DistributedApplicationBuilder.Create(args);

    var redis = builder.AddRedis("redis");
    var mockWebhook = builder.AddProject("mock-webhook", "MockWebhook", "MOCK_WEBHOOK_PORT", defaultPort: 5000);
    var webhookManager = builder.AddProject("webhook-manager", "WebhookManager", "WEBHOOK_MANAGER_PORT", defaultPort: 4000)
        .WithReference(redis);
    var workers = builder.AddProject("workers", "Workers", "WORKERS_PORT")
        .WithReference(redis);
    var orchestrator = builder.AddProject("orchestrator", "Orchestrator", "ORCHESTRATOR_PORT")
        .WithReference(redis);
    var apiGateway = builder.AddProject("api-gateway", "ApiGateway", "API_GATEWAY_PORT", defaultPort: 3000)
        .WithReference(redis)
        .WithReference(webhookManager)
        .WithReference(orchestrator)
        .WithReference(workers)
        .WithReference(mockWebhook);

    var alertmanager = builder.AddExecutableIfPresent("alertmanager", "prometheus-alertmanager", ResourceKind.Alertmanager, 9093,
        port => [$"--config.file={AlertmanagerConfiguration.Write(builder.Configuration, $"{mockWebhook.Instances[0].Url}/alerts")}",
            $"--web.listen-address=127.0.0.1:{port}", $"--storage.path={Path.Combine(builder.Configuration.DataDirectory, "alertmanager", "data")}",
            "--cluster.listen-address="],
        "alerts are not routed to the mock webhook");
    alertmanager?.WaitFor(mockWebhook.Instances[0]);
    var scraped = new Dictionary<string, IReadOnlyList<Resource>>
    {
        ["api-gateway"] = apiGateway.Instances,
        ["orchestrator"] = orchestrator.Instances,
        ["workers"] = workers.Instances,
        ["webhook-manager"] = webhookManager.Instances,
        ["mock-webhook"] = mockWebhook.Instances,
        ["alertmanager"] = alertmanager is null ? [] : [alertmanager],
    };
    var prometheusPort = LoopbackPorts.IsFree(9090) ? 9090 : 0;
    var prometheus = builder.AddExecutableIfPresent("prometheus", "prometheus", ResourceKind.Prometheus, prometheusPort,
        port => [$"--config.file={PrometheusConfiguration.Write(builder.Configuration, scraped, port)}",
            $"--web.listen-address=127.0.0.1:{port}",
            $"--storage.tsdb.path={Path.Combine(builder.Configuration.DataDirectory, "prometheus", "data")}"],
        "metrics are not scraped");
    // Started once what it scrapes is healthy, so starting the system raises no ServiceDown alert.
    foreach (var target in scraped.Values.SelectMany(instances => instances))
    {
        prometheus?.WaitFor(target);
    }
    builder.Skipped.Add("grafana and the Aspire dashboard container: they run from deploy/docker-compose.yml where a Docker engine answers.");

    return await builder.Build().RunAsync();
}
catch (AppHostException problem)
{
    Console.Error.WriteLine($"error: {problem.Message}");
    return 1;
}
