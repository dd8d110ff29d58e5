using System.Text.Json;
using BotSystem.JobEngine;

namespace BotSystem.ApiGateway.Admin;

/// <summary>A job as the dashboard lists it (summary) or shows it (detail, with logs and webhook delivery).</summary>
public sealed record AdminJobView
{
    public required string Id { get; init; }
    public required string Name { get; init; }
    public string? State { get; init; }
    public JsonElement? Data { get; init; }
    public JobOptions? Opts { get; init; }
    public JsonElement? Progress { get; init; }
    public JsonElement? ReturnValue { get; init; }
    public string? FailedReason { get; init; }
    public IReadOnlyList<string>? StackTrace { get; init; }
    public IReadOnlyList<string>? Logs { get; init; }
    public int AttemptsMade { get; init; }
    public int AttemptsStarted { get; init; }
    public long Timestamp { get; init; }
    public long? ProcessedOn { get; init; }
    public long? FinishedOn { get; init; }
    public int Priority { get; init; }
    public long Delay { get; init; }
    public IReadOnlyDictionary<string, string>? Webhook { get; init; }

    public static AdminJobView Summary(Job job) => new()
    {
        Id = job.Id,
        Name = job.Name,
        Progress = job.Progress,
        FailedReason = job.FailedReason,
        AttemptsMade = job.AttemptsMade,
        Timestamp = job.Timestamp.ToUnixTimeMilliseconds(),
    };

    public static AdminJobView Detail(Job job, JobState state, IReadOnlyList<string> logs, IReadOnlyDictionary<string, string>? webhook) =>
        Summary(job) with
        {
            State = AdminStates.Name(state),
            Data = job.Data,
            Opts = job.Options,
            ReturnValue = job.ReturnValue,
            StackTrace = job.StackTrace,
            Logs = logs,
            AttemptsStarted = job.AttemptsStarted,
            ProcessedOn = job.ProcessedOn?.ToUnixTimeMilliseconds(),
            FinishedOn = job.FinishedOn?.ToUnixTimeMilliseconds(),
            Priority = job.Priority,
            Delay = (long)job.Delay.TotalMilliseconds,
            Webhook = webhook,
        };
}
