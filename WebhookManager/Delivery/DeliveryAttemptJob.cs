namespace BotSystem.WebhookManager.Delivery;

/// <summary>
/// The data of a job this service adds to <c>webhooks</c> for a retry or a redrive. Its job id is derived from all
/// three values, so adding it twice (after a crash) adds it once. A postponed job waits in delayed itself.
/// </summary>
public sealed record DeliveryAttemptJob(string DeliveryId, int Round, int Attempt)
{
    public const string JobName = "attempt";

    public string JobId => $"{DeliveryId.Replace(':', '_')}-r{Round}-a{Attempt}";
}
