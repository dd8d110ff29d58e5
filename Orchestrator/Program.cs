var builder = WebApplication.CreateBuilder(args);

builder.UseServicePort("ORCHESTRATOR_PORT", 3100);
builder.AddServiceDefaults();
builder.AddRedisClient("redis");

var app = builder.Build();

app.MapDefaultEndpoints();

app.Run();
