using BotSystem.Workers.Extensions;

var builder = WebApplication.CreateBuilder(args);

builder.UseServicePort("WORKERS_PORT", 3200);
builder.AddBasicServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();

app.MapDefaultEndpoints();

app.Run();
