// Settings files ship next to the assembly, so they apply whatever directory the service is started from.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });

builder.UseServicePort("WEBHOOK_MANAGER_PORT", 4000);
builder.AddBasicServiceDefaults();
builder.AddRedisClient("redis");
builder.AddApplicationServices();

var app = builder.Build();

app.UseProblemResponses();
app.MapDefaultEndpoints();
app.MapAdminApi();

app.Run();
