using BotSystem.ApiGateway.Admin;
using BotSystem.ApiGateway.SystemHealth;

var builder = WebApplication.CreateBuilder(args);

builder.UseServicePort("API_GATEWAY_PORT", 3000);
builder.AddServiceDefaults();
builder.AddRedisClient("redis");
builder.AddAdminDashboard();
builder.AddSystemHealth();

var app = builder.Build();

app.MapDefaultEndpoints();
app.MapAdminApi();
app.MapSystemHealthApi();

app.Run();
