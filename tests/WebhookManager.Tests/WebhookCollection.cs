namespace WebhookManager.Tests;

/// <summary>The tests share one Redis, one receiver and one manager, and run one after another because they steer the receiver.</summary>
[CollectionDefinition(Name)]
public sealed class WebhookCollection : ICollectionFixture<WebhookFixture>
{
    public const string Name = "webhooks";
}
