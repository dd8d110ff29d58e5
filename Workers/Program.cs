var builder = WebApplication.CreateBuilder(args);

builder.UseServicePort("WORKERS_PORT", 3200);
builder.AddServiceDefaults();
builder.AddRedisClient("redis");

var app = builder.Build();

app.MapDefaultEndpoints();

app.Run();
