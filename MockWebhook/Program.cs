// Settings files ship next to the assembly, so they apply whatever directory the service is started from.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });

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
