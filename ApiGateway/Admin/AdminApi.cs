using System.Reflection;
using System.Text.Json.Nodes;
using BotSystem.ApiGateway.Invocations;
using BotSystem.Contracts;
using BotSystem.JobEngine;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.FileProviders;
using StackExchange.Redis;

namespace BotSystem.ApiGateway.Admin;

/// <summary>
/// The queue dashboard at <c>/admin/queues</c>: its page and assets (embedded, no CDN), the log-in
/// and log-out forms, and the admin API the page calls.
/// </summary>
public static class AdminApi
{
    private const int MaxPageSize = 200;
    private static readonly EmbeddedFileProvider Assets = new(Assembly.GetExecutingAssembly(), "BotSystem.ApiGateway.Admin.wwwroot");

    public static WebApplication MapAdminApi(this WebApplication app)
    {
        app.MapGet("/admin/queues", () => Asset("index.html", "text/html; charset=utf-8")).ExcludeFromDescription();
        app.MapGet("/admin/assets/{file}", (string file) => file switch
        {
            "admin.js" => Asset(file, "text/javascript; charset=utf-8"),
            "admin.css" => Asset(file, "text/css; charset=utf-8"),
            _ => Results.NotFound(),
        }).ExcludeFromDescription();
        app.MapPost("/admin/login", LogIn).DisableAntiforgery().ExcludeFromDescription();
        app.MapPost("/admin/logout", LogOut).DisableAntiforgery().ExcludeFromDescription();

        var api = app.MapGroup("/admin/api").AddEndpointFilter<AdminAuthorizationFilter>().WithTags("Admin");
        api.MapGet("/session", (HttpContext context) => TypedResults.Ok(new { csrfToken = context.Items[AdminSessions.CsrfHeader] as string }));
        api.MapGet("/overview", GetOverview);
        api.MapGet("/queues/{queue}/jobs", ListJobs);
        api.MapGet("/queues/{queue}/jobs/{id}", GetJob);
        api.MapPost("/queues/{queue}/jobs/{id}/retry", (string queue, string id, AdminQueues queues, InvocationService invocations) =>
            ActOnJob(queues, queue, id, (q, _) => RetryUnlessInvokedBotAsync(q, id, invocations)));
        api.MapPost("/queues/{queue}/jobs/{id}/promote", (string queue, string id, AdminQueues queues) => ActOnJob(queues, queue, id, (q, _) => q.PromoteJobAsync(id)));
        api.MapPost("/queues/{queue}/jobs/{id}/remove", (string queue, string id, AdminQueues queues, InvocationService invocations) =>
            ActOnJob(queues, queue, id, (q, state) => RemoveUnlockedAsync(q, id, state, invocations)));
        api.MapPost("/queues/{queue}/pause", (string queue, AdminQueues queues) => Act(queues, queue, q => q.PauseAsync()));
        api.MapPost("/queues/{queue}/resume", (string queue, AdminQueues queues) => Act(queues, queue, q => q.ResumeAsync()));
        api.MapPost("/queues/{queue}/clean", CleanQueue);
        // Each call goes with its query string: the filters of a redrive, the client an endpoint is enabled for.
        api.MapGet("/deliveries", (HttpContext context, WebhookManagerClient webhooks) => webhooks.ForwardAsync(context, "/deliveries"));
        api.MapPost("/deliveries/redrive", (HttpContext context, WebhookManagerClient webhooks) => webhooks.ForwardAsync(context, "/deliveries/redrive"));
        api.MapPost("/deliveries/{id}/redrive", (string id, HttpContext context, WebhookManagerClient webhooks) => webhooks.ForwardAsync(context, $"/deliveries/{Uri.EscapeDataString(id)}/redrive"));
        api.MapGet("/endpoints", (HttpContext context, WebhookManagerClient webhooks) => webhooks.ForwardAsync(context, "/endpoints"));
        api.MapPost("/endpoints/{endpoint}/enable", (string endpoint, HttpContext context, WebhookManagerClient webhooks) =>
            webhooks.ForwardAsync(context, $"/endpoints/{Uri.EscapeDataString(endpoint)}/enable"));
        return app;
    }

    private static IResult Asset(string name, string contentType)
    {
        var file = Assets.GetFileInfo(name);
        return file.Exists ? Results.Stream(file.CreateReadStream(), contentType) : Results.NotFound();
    }

    private static async Task<IResult> LogIn(HttpContext context, AdminSessions sessions)
    {
        if (await ReadFormAsync(context.Request) is not { } form)
        {
            return NotAForm();
        }
        if (!sessions.IsAdminKey(form["apiKey"]))
        {
            return Results.Redirect("/admin/queues?failed=1");
        }
        context.Response.Cookies.Append(AdminSessions.CookieName, await sessions.StartAsync(), AdminSessions.CookieOptions(context.Request));
        return Results.Redirect("/admin/queues");
    }

    private static async Task<IResult> LogOut(HttpContext context, AdminSessions sessions)
    {
        if (await ReadFormAsync(context.Request) is not { } form)
        {
            return NotAForm();
        }
        var session = context.Request.Cookies[AdminSessions.CookieName];
        if (session is not null && form["csrfToken"] == await sessions.GetCsrfTokenAsync(session))
        {
            await sessions.EndAsync(session);
            context.Response.Cookies.Delete(AdminSessions.CookieName, AdminSessions.CookieOptions(context.Request));
        }
        return Results.Redirect("/admin/queues");
    }

    private static async Task<Ok<AdminOverview>> GetOverview(AdminQueues queues, SystemOverview overview, CancellationToken ct)
    {
        var queueViews = new List<AdminQueueView>();
        foreach (var queue in queues.All)
        {
            var counts = await queue.GetJobCountsAsync(ct, [.. AdminStates.Listed]);
            queueViews.Add(new AdminQueueView(queue.Name, counts.ToDictionary(c => AdminStates.Name(c.Key), c => c.Value), await queue.IsPausedAsync(ct)));
        }
        return TypedResults.Ok(new AdminOverview(queueViews, await overview.GetSemaphoresAsync(ct), await overview.GetWorkersAsync(ct)));
    }

    private static async Task<Results<Ok<AdminJobPage>, NotFound, ValidationProblem>> ListJobs(
        string queue, string? state, int? page, int? pageSize, AdminQueues queues, CancellationToken ct)
    {
        if (!queues.TryGet(queue, out var q))
        {
            return TypedResults.NotFound();
        }
        if (!AdminStates.TryParse(state ?? "waiting", out var jobState))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["state"] = [$"'{state}' is not a job state."] });
        }
        var size = Math.Clamp(pageSize ?? 20, 1, MaxPageSize);
        var start = (long)Math.Max(0, page ?? 0) * size;
        var jobs = await q.GetJobsAsync(jobState, start, start + size - 1, ct: ct);
        var total = (await q.GetJobCountsAsync(ct, jobState)).GetValueOrDefault(jobState);
        return TypedResults.Ok(new AdminJobPage(total, jobs.Select(AdminJobView.Summary).ToList()));
    }

    private static async Task<Results<Ok<AdminJobView>, NotFound>> GetJob(
        string queue, string id, AdminQueues queues, IConnectionMultiplexer redis, CancellationToken ct)
    {
        if (!queues.TryGet(queue, out var q) || await q.GetJobAsync(id, ct) is not { } job)
        {
            return TypedResults.NotFound();
        }
        var state = await q.GetJobStateAsync(id, ct);
        var logs = await q.GetJobLogsAsync(id, ct: ct);
        // A schedule's run has a job id of its own, not its invocation's.
        var record = await redis.GetDatabase().HashGetAllAsync(InvocationRecord.Key(InvocationIds.Of(id)));
        var webhook = record
            .Where(field => field.Name.ToString().StartsWith("webhook.", StringComparison.Ordinal))
            .ToDictionary(field => field.Name.ToString()["webhook.".Length..], field => field.Value.ToString());
        return TypedResults.Ok(AdminJobView.Detail(job, state, logs, webhook.Count > 0 ? webhook : null));
    }

    private static async Task<Results<Ok<JsonObject>, NotFound, ValidationProblem>> CleanQueue(string queue, AdminCleanRequest request, AdminQueues queues,
        InvocationService invocations)
    {
        if (!queues.TryGet(queue, out var q))
        {
            return TypedResults.NotFound();
        }
        var errors = new Dictionary<string, string[]>();
        if (!AdminStates.TryParse(request.State, out var state))
        {
            errors["state"] = [$"'{request.State}' is not a job state."];
        }
        else if (IsPendingDelivery(q, state))
        {
            errors["state"] = [PendingDeliveryStays];
        }
        if (request.AgeSeconds is < 0 or > MaxCleanAgeSeconds)
        {
            errors["ageSeconds"] = [$"Must be from 0 to {MaxCleanAgeSeconds} (ten years)."];
        }
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }
        try
        {
            var age = TimeSpan.FromSeconds(request.AgeSeconds);
            // Queued invocations are removed by id once recorded: a clean by age would also take one accepted while the
            // records were made, which would vanish without one.
            var removed = MayHoldUnrecordedInvocations(q, state)
                ? await invocations.RemoveQueuedAsync(state, DateTimeOffset.UtcNow - age, CleanLimit)
                : await q.CleanAsync(state, age, CleanLimit);
            await EndIfInvocationsAsync(q, removed, invocations);
            return TypedResults.Ok(new JsonObject { ["removed"] = removed.Count });
        }
        catch (ArgumentException ex)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["state"] = [ex.Message] });
        }
    }

    private static async Task<Results<NoContent, NotFound, ProblemHttpResult>> ActOnJob(AdminQueues queues, string queue, string id,
        Func<Queue, JobState, Task> action)
    {
        if (!queues.TryGet(queue, out var q))
        {
            return TypedResults.NotFound();
        }
        var state = await q.GetJobStateAsync(id);
        if (state == JobState.Unknown)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such job", detail: $"Queue {queue} has no job '{id}'.");
        }
        return await AttemptAsync(q, q => action(q, state));
    }

    private static async Task<Results<NoContent, NotFound, ProblemHttpResult>> Act(AdminQueues queues, string queue, Func<Queue, Task> action) =>
        queues.TryGet(queue, out var q) ? await AttemptAsync(q, action) : TypedResults.NotFound();

    private static async Task<Results<NoContent, NotFound, ProblemHttpResult>> AttemptAsync(Queue queue, Func<Queue, Task> action)
    {
        try
        {
            await action(queue);
            return TypedResults.NoContent();
        }
        catch (JobEngineException ex) when (ex is not RedisUnavailableException)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Not possible now", detail: ex.Message);
        }
    }

    private static async Task RetryUnlessInvokedBotAsync(Queue queue, string id, InvocationService invocations)
    {
        if (QueueNames.IsBots(queue.Name) && await invocations.ExistsAsync(id))
        {
            throw new JobEngineException(InvokedBotStays);
        }
        await queue.RetryJobAsync(id);
    }

    // Its invocation has let go of the bot type's permit and ended; no one would follow the bot or deliver its outcome.
    private const string InvokedBotStays =
        "The bot job of an invocation is not retried here: it would run outside its bot type's limit, and its outcome would reach no one. Invoke the bot again instead.";

    private static async Task RemoveUnlockedAsync(Queue queue, string id, JobState state, InvocationService invocations)
    {
        if (IsPendingDelivery(queue, state))
        {
            throw new JobEngineException(PendingDeliveryStays);
        }
        if (MayHoldUnrecordedInvocations(queue, state) && await queue.GetJobAsync(id) is { } job)
        {
            await invocations.MakeRecordOfQueuedAsync(job);
        }
        if (!await queue.RemoveJobAsync(id))
        {
            throw new JobEngineException("The job is running and locked by a worker.");
        }
        await EndIfInvocationsAsync(queue, [id], invocations);
    }

    // Its record belongs to the webhook manager, which would show it pending for good, out of the dead letter queue's reach.
    private const string PendingDeliveryStays =
        "A delivery waiting for its attempt is not removed here: it would stay pending for good. It ends delivered, or dead in the dead letter queue.";

    private static bool IsPendingDelivery(Queue queue, JobState state) =>
        queue.Name == QueueNames.Webhooks && state is JobState.Waiting or JobState.Prioritized or JobState.Delayed;

    // The most jobs one clean removes.
    private const int CleanLimit = 1000;

    // Far past the age of any job, and far from where a time that long ago stops being a date.
    private const double MaxCleanAgeSeconds = 10 * 365 * 24 * 60 * 60;

    // An invocation queued without a record would vanish from its client's sight with its job; one that was taken has its record.
    private static bool MayHoldUnrecordedInvocations(Queue queue, JobState state) =>
        queue.Name == QueueNames.Invocations && state is JobState.Waiting or JobState.Prioritized or JobState.Delayed;

    // An invocation removed before it ran would otherwise show queued to its client until its record expires.
    private static Task EndIfInvocationsAsync(Queue queue, IReadOnlyList<string> removed, InvocationService invocations) =>
        queue.Name == QueueNames.Invocations ? invocations.EndRemovedAsync(removed) : Task.CompletedTask;

    // A form that cannot be read (a multipart body without its boundary or cut short, a field past the limits) is the sender's mistake.
    private static async Task<IFormCollection?> ReadFormAsync(HttpRequest request)
    {
        if (!request.HasFormContentType)
        {
            return null;
        }
        try
        {
            return await request.ReadFormAsync();
        }
        catch (Exception e) when (e is InvalidDataException or IOException)
        {
            return null;
        }
    }

    private static ValidationProblem NotAForm() => TypedResults.ValidationProblem(new Dictionary<string, string[]>
    {
        ["contentType"] = ["Send a well-formed form: application/x-www-form-urlencoded or multipart/form-data."],
    });
}

public sealed record AdminCleanRequest(string State, double AgeSeconds);

public sealed record AdminQueueView(string Name, IReadOnlyDictionary<string, long> Counts, bool Paused);

public sealed record AdminJobPage(long Total, IReadOnlyList<AdminJobView> Jobs);

public sealed record AdminOverview(IReadOnlyList<AdminQueueView> Queues, IReadOnlyDictionary<string, SemaphoreView> Semaphores, IReadOnlyList<WorkerView> Workers);
