namespace WebhookManager.Tests;

public static class TestSecrets
{
    public const string Receiver = "whsec_dGVzdC1yZWNlaXZlci1zZWNyZXQtMDEyMzQ1Njc4OQ==";
    public const string Retired = "whsec_cmV0aXJlZC1zZWNyZXQtYmVpbmctcm90YXRlZC1vdXQ=";
    public const string AdminKey = "test-admin-key";
}
