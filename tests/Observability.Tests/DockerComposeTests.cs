using System.Text.Json;

namespace Observability.Tests;

public sealed class DockerComposeTests
{
    private static readonly JsonElement Services = DeployFiles.ReadYaml(DeployFiles.DockerCompose).GetProperty("services");

    [Theory]
    [InlineData("prometheus", "prom/prometheus:")]
    [InlineData("alertmanager", "prom/alertmanager:")]
    [InlineData("grafana", "grafana/grafana:")]
    [InlineData("aspire-dashboard", "mcr.microsoft.com/dotnet/aspire-dashboard:")]
    public void Compose_runs_the_service_from_its_image(string service, string image)
    {
        Assert.StartsWith(image, Services.GetProperty(service).GetProperty("image").GetString());
    }

    [Theory]
    [InlineData("prometheus", "9090:9090")]
    [InlineData("alertmanager", "9093:9093")]
    [InlineData("grafana", "3001:3000")]
    [InlineData("aspire-dashboard", "18890:18888")]
    [InlineData("aspire-dashboard", "4317:18889")]
    public void Compose_publishes_the_port_on_the_host(string service, string mapping)
    {
        Assert.Contains(mapping, Strings(service, "ports"));
    }

    [Theory]
    [InlineData("grafana", "./grafana/provisioning:/etc/grafana/provisioning:ro")]
    [InlineData("grafana", "./grafana/dashboards:/var/lib/grafana/dashboards:ro")]
    [InlineData("prometheus", "./prometheus/prometheus.yml:/etc/prometheus/prometheus.yml:ro")]
    [InlineData("prometheus", "./prometheus/alert-rules.yml:/etc/prometheus/alert-rules.yml:ro")]
    [InlineData("prometheus", "./prometheus/targets-docker:/etc/prometheus/targets:ro")]
    [InlineData("alertmanager", "./alertmanager/alertmanager.yml:/etc/alertmanager/botsystem.yml:ro")]
    public void Compose_mounts_the_deploy_files(string service, string volume)
    {
        Assert.Contains(volume, Strings(service, "volumes"));
    }

    [Fact]
    public void Every_bind_mounted_path_exists_in_the_deploy_folder()
    {
        var bindMounts = Services.EnumerateObject()
            .SelectMany(service => service.Value.TryGetProperty("volumes", out var volumes) ? volumes.EnumerateArray() : [])
            .Select(volume => volume.GetString()!.Split(':')[0])
            .Where(source => source.StartsWith("./", StringComparison.Ordinal))
            .ToList();

        Assert.NotEmpty(bindMounts);
        Assert.All(bindMounts, source =>
        {
            var path = DeployFiles.Path([source[2..]]);
            Assert.True(File.Exists(path) || Directory.Exists(path), $"{source} does not exist under deploy/.");
        });
    }

    [Fact]
    public void Grafana_provisioning_loads_the_mounted_dashboards_from_the_compose_prometheus()
    {
        var provider = DeployFiles.ReadYaml(DeployFiles.Path(["grafana", "provisioning", "dashboards", "botsystem.yml"])).GetProperty("providers")[0];
        Assert.Equal("file", provider.GetProperty("type").GetString());
        Assert.Equal("/var/lib/grafana/dashboards", provider.GetProperty("options").GetProperty("path").GetString());

        var datasource = DeployFiles.ReadYaml(DeployFiles.Path(["grafana", "provisioning", "datasources", "prometheus.yml"])).GetProperty("datasources")[0];
        var url = new Uri(datasource.GetProperty("url").GetString()!);
        Assert.True(Services.TryGetProperty(url.Host, out _), $"The datasource host {url.Host} is no compose service.");
        Assert.Equal(9090, url.Port);
    }

    private static List<string> Strings(string service, string property) =>
        Services.GetProperty(service).GetProperty(property).EnumerateArray().Select(item => item.GetString()!).ToList();
}
