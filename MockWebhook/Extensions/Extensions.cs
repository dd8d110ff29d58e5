using BotSystem.MockWebhook;
using BotSystem.MockWebhook.Model;

namespace Microsoft.Extensions.Hosting;

public static class Extensions
{
    public static IHostApplicationBuilder AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddProblemResponses();
        builder.Services.AddOptions<MockWebhookOptions>()
            .BindConfiguration(MockWebhookOptions.Section)
            .ValidateDataAnnotations()
            .Validate(options => options.Secret is null || IsWebhookSecret(options.Secret),
                "MockWebhook:Secret must be 'whsec_' followed by base64.")
            .ValidateOnStart();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<FailureInjection>();
        builder.Services.AddSingleton<DeliveryLog>();
        builder.Services.AddSingleton<AlertLog>();
        return builder;
    }

    private static bool IsWebhookSecret(string secret)
    {
        try
        {
            return BotSystem.Contracts.StandardWebhooks.DecodeSecret(secret).Length > 0;
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
