using BotSystem.ApiGateway.Admin;

var builder = WebApplication.CreateBuilder(args);

builder.UseServicePort("API_GATEWAY_PORT", 3000);
builder.AddServiceDefaults();
builder.AddRedisClient("redis");
builder.AddAdminDashboard();

var app = builder.Build();

app.MapDefaultEndpoints();
app.MapAdminApi();

app.Run();
