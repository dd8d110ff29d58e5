namespace BotSystem.AppHost.Resources;

/// <summary>
/// Copies <c>deploy/alertmanager/alertmanager.yml</c> to the data directory with its webhook receiver pointed at
/// the MockWebhook's <c>/alerts</c> on the port actually in use, so a firing alert shows up there.
/// </summary>
public static class AlertmanagerConfiguration
{
    /// <summary>The receiver URL the deploy file ships with: the MockWebhook on its default port.</summary>
    private const string DefaultReceiverUrl = "http://localhost:5000/alerts";

    public static string Write(AppHostConfiguration configuration, string receiverUrl)
    {
        var source = Path.Combine(configuration.RepositoryRoot, "deploy", "alertmanager", "alertmanager.yml");
        var text = File.ReadAllText(source);
        if (!text.Contains(DefaultReceiverUrl, StringComparison.Ordinal))
        {
            throw new AppHostException($"{source} has no receiver URL {DefaultReceiverUrl} to point at the mock webhook.", "Restore the receiver URL in deploy/alertmanager/alertmanager.yml.");
        }
        var target = Directory.CreateDirectory(Path.Combine(configuration.DataDirectory, "alertmanager")).FullName;
        var file = Path.Combine(target, "alertmanager.yml");
        File.WriteAllText(file, text.Replace(DefaultReceiverUrl, receiverUrl, StringComparison.Ordinal));
        return file;
    }
}
