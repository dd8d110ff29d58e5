using Xunit;

namespace BotSystem.Testing;

/// <summary>
/// A real Alertmanager (<c>prometheus-alertmanager</c> on Debian, <c>alertmanager</c> elsewhere) on a
/// free loopback port, clustering off, running a copy of a configuration file with its webhook
/// receiver URL replaced, and its state in a temporary directory removed on dispose.
/// </summary>
public sealed class AlertmanagerServer : IAsyncLifetime
{
    /// <summary>The receiver URL <c>deploy/alertmanager/alertmanager.yml</c> ships with.</summary>
    public const string DefaultReceiverUrl = "http://localhost:5000/alerts";

    private readonly string _configurationFile;
    private readonly string _receiverUrl;
    private ServiceProcess? _process;

    /// <param name="configurationFile">An Alertmanager configuration, e.g. <c>deploy/alertmanager/alertmanager.yml</c>.</param>
    /// <param name="receiverUrl">Replaces <see cref="DefaultReceiverUrl"/> in the configuration.</param>
    public AlertmanagerServer(string configurationFile, string receiverUrl)
    {
        _configurationFile = configurationFile;
        _receiverUrl = receiverUrl;
        Port = FreePort.Next();
        DataDirectory = Directory.CreateTempSubdirectory("botsystem-alertmanager-").FullName;
    }

    public int Port { get; }

    /// <summary>The <c>host:port</c> Prometheus sends alerts to.</summary>
    public string Address => $"127.0.0.1:{Port}";

    public string DataDirectory { get; }

    public string Output => _process?.Output ?? "";

    public async Task InitializeAsync()
    {
        var configuration = Path.Combine(DataDirectory, "alertmanager.yml");
        var text = await File.ReadAllTextAsync(_configurationFile);
        if (!text.Contains(DefaultReceiverUrl, StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"{_configurationFile} does not contain the receiver URL {DefaultReceiverUrl} to replace.");
        }
        await File.WriteAllTextAsync(configuration, text.Replace(DefaultReceiverUrl, _receiverUrl, StringComparison.Ordinal));

        _process = ServiceProcess.Start(
            Executable.Find("prometheus-alertmanager", "alertmanager"),
            [
                $"--config.file={configuration}",
                $"--storage.path={Path.Combine(DataDirectory, "data")}",
                $"--web.listen-address={Address}",
                "--cluster.listen-address=",
            ],
            new Dictionary<string, string?>(),
            DataDirectory);
        await _process.WaitUntilHealthyAsync($"http://{Address}/-/ready", TimeSpan.FromSeconds(30));
    }

    public async Task DisposeAsync()
    {
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
            // A file still being closed by the exiting server; the temp directory is cleaned by the OS.
        }
    }
}
