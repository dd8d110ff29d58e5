using BotSystem.Orchestrator.Extensions;

var builder = WebApplication.CreateBuilder(args);

builder.UseServicePort("ORCHESTRATOR_PORT", 3100);
builder.AddBasicServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();

app.MapDefaultEndpoints();

app.Run();
