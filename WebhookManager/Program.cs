var builder = WebApplication.CreateBuilder(args);

builder.UseServicePort("WEBHOOK_MANAGER_PORT", 4000);
builder.AddServiceDefaults();
builder.AddRedisClient("redis");

var app = builder.Build();

app.MapDefaultEndpoints();

app.Run();
