using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Xunit;

namespace BotSystem.Testing;

/// <summary>
/// A real <c>prometheus</c> on a free loopback port with a generated configuration (scrape jobs,
/// rule files, Alertmanagers) and its data in a temporary directory removed on dispose. Use it as an
/// xunit class or collection fixture (no scrape jobs, no rules), or build one with <see cref="WithOptions"/>.
/// </summary>
public sealed class PrometheusServer : IAsyncLifetime
{
    private readonly PrometheusServerOptions _options;
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(10) };
    private ServiceProcess? _process;

    public PrometheusServer() : this(new PrometheusServerOptions()) { }

    private PrometheusServer(PrometheusServerOptions options)
    {
        _options = options;
        Port = FreePort.Next();
        DataDirectory = Directory.CreateTempSubdirectory("botsystem-prometheus-").FullName;
        _http.BaseAddress = BaseAddress;
    }

    /// <summary>A server with scrape jobs, rules or Alertmanagers; call <see cref="InitializeAsync"/>.</summary>
    public static PrometheusServer WithOptions(PrometheusServerOptions options) => new(options);

    public int Port { get; }

    public Uri BaseAddress => new($"http://127.0.0.1:{Port}/");

    /// <summary>Holds the generated <c>prometheus.yml</c>, the copied rule files and the TSDB.</summary>
    public string DataDirectory { get; }

    public string ConfigFile => Path.Combine(DataDirectory, "prometheus.yml");

    /// <summary>What Prometheus logged so far, for failure messages.</summary>
    public string Output => _process?.Output ?? "";

    public async Task InitializeAsync()
    {
        await File.WriteAllTextAsync(ConfigFile, BuildConfiguration());
        _process = ServiceProcess.Start(
            Executable.Find("prometheus"),
            [
                $"--config.file={ConfigFile}",
                $"--storage.tsdb.path={Path.Combine(DataDirectory, "tsdb")}",
                $"--web.listen-address=127.0.0.1:{Port}",
                "--web.enable-lifecycle",
                // Firing alerts are resent every second, not every minute, so one sent before the Alertmanager was discovered is not lost for a minute.
                "--rules.alert.resend-delay=1s",
            ],
            new Dictionary<string, string?>(),
            DataDirectory);
        await _process.WaitUntilHealthyAsync(new Uri(BaseAddress, "-/ready").ToString(), TimeSpan.FromSeconds(30));
    }

    /// <summary>Evaluates a PromQL expression now; a parse or evaluation error comes back in the result, not as an exception.</summary>
    public async Task<PrometheusQueryResult> QueryAsync(string expression)
    {
        using var response = await _http.PostAsync("api/v1/query", new FormUrlEncodedContent([new("query", expression)]));
        return await ReadResultAsync(response);
    }

    /// <summary>The number of series <paramref name="expression"/> returns now; fails with Prometheus' error text on a bad query.</summary>
    public async Task<int> CountSeriesAsync(string expression)
    {
        var result = await QueryAsync(expression);
        if (!result.IsSuccess)
        {
            throw new InvalidOperationException($"Prometheus rejected '{expression}': {result.ErrorType}: {result.Error}");
        }
        return result.Data.GetProperty("result").GetArrayLength();
    }

    /// <summary>GETs a JSON API path such as <c>api/v1/rules</c> or <c>api/v1/alerts</c> and returns its <c>data</c>.</summary>
    public async Task<JsonElement> GetDataAsync(string path)
    {
        using var response = await _http.GetAsync(path);
        var result = await ReadResultAsync(response);
        return result.IsSuccess ? result.Data : throw new InvalidOperationException($"GET {path}: {result.ErrorType}: {result.Error}");
    }

    /// <summary>Waits until <paramref name="expression"/> returns at least one series, e.g. until a target has been scraped.</summary>
    public async Task WaitForSeriesAsync(string expression, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (await CountSeriesAsync(expression) == 0)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"'{expression}' returned no series within {timeout}.\n{Output}");
            }
            await Task.Delay(250);
        }
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        if (_process is not null)
        {
            await _process.DisposeAsync();
        }
        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A TSDB file still being closed by the exiting server; the temp directory is cleaned by the OS.
        }
    }

    private static async Task<PrometheusQueryResult> ReadResultAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        var status = body.GetProperty("status").GetString();
        return new PrometheusQueryResult(
            status == "success",
            body.TryGetProperty("data", out var data) ? data.Clone() : default,
            body.TryGetProperty("errorType", out var errorType) ? errorType.GetString() : null,
            body.TryGetProperty("error", out var error) ? error.GetString() : null);
    }

    private string BuildConfiguration()
    {
        var yaml = new StringBuilder();
        yaml.AppendLine("global:");
        yaml.AppendLine(CultureInfo.InvariantCulture, $"  scrape_interval: {Duration(_options.ScrapeInterval)}");
        yaml.AppendLine(CultureInfo.InvariantCulture, $"  scrape_timeout: {Duration(_options.ScrapeInterval)}");
        yaml.AppendLine(CultureInfo.InvariantCulture, $"  evaluation_interval: {Duration(_options.EvaluationInterval)}");

        if (_options.RuleFiles.Count > 0)
        {
            yaml.AppendLine("rule_files:");
            foreach (var ruleFile in _options.RuleFiles)
            {
                var copy = Path.Combine(DataDirectory, $"rules-{Path.GetFileName(ruleFile)}");
                File.Copy(ruleFile, copy, overwrite: true);
                yaml.AppendLine(CultureInfo.InvariantCulture, $"  - {Quoted(copy)}");
            }
        }

        if (_options.Alertmanagers.Count > 0)
        {
            yaml.AppendLine("alerting:");
            yaml.AppendLine("  alertmanagers:");
            yaml.AppendLine("    - static_configs:");
            yaml.AppendLine(CultureInfo.InvariantCulture, $"        - targets: [{string.Join(", ", _options.Alertmanagers.Select(Quoted))}]");
        }

        yaml.AppendLine("scrape_configs:");
        yaml.AppendLine("  - job_name: prometheus");
        yaml.AppendLine("    static_configs:");
        yaml.AppendLine(CultureInfo.InvariantCulture, $"      - targets: [\"127.0.0.1:{Port}\"]");
        foreach (var (job, targets) in _options.ScrapeTargets)
        {
            yaml.AppendLine(CultureInfo.InvariantCulture, $"  - job_name: {Quoted(job)}");
            yaml.AppendLine("    metrics_path: /metrics");
            yaml.AppendLine("    static_configs:");
            yaml.AppendLine(CultureInfo.InvariantCulture, $"      - targets: [{string.Join(", ", targets.Select(Quoted))}]");
        }
        return yaml.ToString();
    }

    private static string Duration(TimeSpan interval) =>
        interval.TotalSeconds >= 1 && interval.TotalSeconds % 1 == 0
            ? $"{(int)interval.TotalSeconds}s"
            : $"{(int)interval.TotalMilliseconds}ms";

    private static string Quoted(string value) => JsonSerializer.Serialize(value);
}
