namespace BotSystem.WebhookManager.Delivery;

/// <summary>
/// The data of a job this service adds to <c>webhooks</c> for a retry, a postponement or a redrive. Its job id
/// is derived from all four values, so adding it twice (after a crash) adds it once.
/// </summary>
public sealed record DeliveryAttemptJob(string DeliveryId, int Round, int Attempt, int Postponements)
{
    public const string JobName = "attempt";

    public string JobId => $"{DeliveryId.Replace(':', '_')}-r{Round}-a{Attempt}-p{Postponements}";
}
