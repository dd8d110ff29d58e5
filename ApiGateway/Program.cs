using BotSystem.ApiGateway.Admin;
using BotSystem.ApiGateway.Apis;
using BotSystem.ApiGateway.Extensions;
using BotSystem.ApiGateway.SystemHealth;

var builder = WebApplication.CreateBuilder(args);

builder.UseServicePort("API_GATEWAY_PORT", 3000);
builder.AddServiceDefaults();
builder.AddApplicationServices();
builder.AddAdminDashboard();
builder.AddSystemHealth();

var app = builder.Build();

app.UseProblemResponses();
app.MapApiDocs();
app.MapDefaultEndpoints();
app.MapInvocationsApi();
app.MapSchedulesApi();
app.MapTriggersApi();
app.MapAdminApi();
app.MapSystemHealthApi();

app.Run();
