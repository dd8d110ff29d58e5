var builder = WebApplication.CreateBuilder(args);

builder.UseServicePort("API_GATEWAY_PORT", 3000);
builder.AddServiceDefaults();
builder.AddRedisClient("redis");

var app = builder.Build();

app.MapDefaultEndpoints();

app.Run();
