namespace BotSystem.ApiGateway.Admin;

public static class AdminDashboardExtensions
{
    public static IHostApplicationBuilder AddAdminDashboard(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<AdminOptions>()
            .BindConfiguration(AdminOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton<AdminSessions>();
        builder.Services.AddSingleton<AdminQueues>();
        builder.Services.AddSingleton<SystemOverview>();
        builder.Services.AddSingleton<AdminAuthorizationFilter>();
        builder.Services.AddHttpClient<WebhookManagerClient>(http => http.BaseAddress = new Uri(WebhookManagerClient.ServiceUrl));
        return builder;
    }
}
