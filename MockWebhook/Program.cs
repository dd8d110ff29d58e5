var builder = WebApplication.CreateBuilder(args);

builder.UseServicePort("MOCK_WEBHOOK_PORT", 5000);
builder.AddBasicServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();

app.UseProblemResponses();
app.MapDefaultEndpoints();
app.MapWebhookApi();
app.MapControlApi();
app.MapAlertsApi();

app.Run();
