var builder = WebApplication.CreateBuilder(args);

builder.UseServicePort("MOCK_WEBHOOK_PORT", 5000);
builder.AddServiceDefaults();

var app = builder.Build();

app.MapDefaultEndpoints();

app.Run();
