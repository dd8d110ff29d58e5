using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using BotSystem.Contracts;

namespace BotSystem.Workers.Runners;

/// <summary>What one job's bot wrote: its result or error, protocol violations, and whether output was dropped.</summary>
internal sealed class BotOutput(int maxResultBytes)
{
    private static readonly JsonDocumentOptions UniqueMembers = new() { AllowDuplicateProperties = false };

    public JsonNode? Result { get; private set; }

    // A result line was read: its result may be null, an answer all the same.
    private bool _answered;
    public string? Error { get; private set; }
    public bool ErrorRetryable { get; private set; }
    public string? ProtocolError { get; private set; }
    public bool Truncated { get; set; }

    /// <summary>Whether the warm host marked the end of the job (cold runs end with the process instead).</summary>
    public bool Ended { get; set; }

    /// <summary>
    /// Handles one line as the bot wrote it: its bytes are parsed, checked for text that cannot be read (which decoding
    /// would hide, replacing what is not UTF-8), and measured.
    /// </summary>
    public async Task HandleLineAsync(byte[] utf8, Func<JsonNode, Task> onProgress, Func<string, Task> onLog)
    {
        var text = Encoding.UTF8.GetString(utf8);
        if (string.IsNullOrWhiteSpace(text))
        {
            return;
        }
        JsonObject? message;
        try
        {
            // A line naming a member twice is no message: which of the two would count is anyone's guess.
            message = JsonNode.Parse(utf8, documentOptions: UniqueMembers) as JsonObject;
        }
        catch (JsonException)
        {
            message = null;
        }
        if (message is not null && UnicodeJson.FirstInvalidString(utf8) is not null)
        {
            // Its strings could not be read; a result or an error that cannot be read leaves the job without one.
            if (message.ContainsKey("result") || message.ContainsKey("error"))
            {
                ProtocolError = "a result or error message is not valid Unicode text (it is not UTF-8, or escapes half of a surrogate pair)";
                return;
            }
            message = null;
        }
        if (message is null)
        {
            await onLog(LogOf(text));
            return;
        }
        if (message["progress"] is { } progress)
        {
            if (Percent(progress) is { } percent)
            {
                await onProgress(percent);
            }
            else
            {
                // No progress, but the bot's author sees what it wrote.
                await onLog(LogOf(text));
            }
        }
        if (message["log"] is { } log)
        {
            await onLog(log.ToString());
        }
        if (message.ContainsKey("result"))
        {
            if (utf8.Length > maxResultBytes)
            {
                ProtocolError = $"the result is larger than {maxResultBytes} bytes";
                return;
            }
            Result = message["result"]?.DeepClone();
            _answered = true;
        }
        if (message["error"] is { } error)
        {
            var reason = error.ToString();
            // A reason the client and the logs can show, rather than none.
            Error = string.IsNullOrWhiteSpace(reason) ? "The bot reported an error without a message." : reason;
            ErrorRetryable = message["retryable"]?.GetValueKind() == JsonValueKind.True;
        }
    }

    /// <summary>
    /// A progress as the job shows it, a percentage: a number, held to 0..100 (a bot counting items, or dividing by what
    /// it did not expect, goes past it); null for a value that is no number.
    /// </summary>
    private static JsonNode? Percent(JsonNode progress)
    {
        if (progress.GetValueKind() != JsonValueKind.Number)
        {
            return null;
        }
        // Parsed from its text, a number past the range of a double is infinite rather than unreadable.
        var value = double.Parse(progress.ToJsonString(), CultureInfo.InvariantCulture);
        return value < 0 ? JsonValue.Create(0) : value > 100 ? JsonValue.Create(100) : progress.DeepClone();
    }

    private static string LogOf(string text) => text.Length > 1000 ? text[..1000] + "…" : text;

    /// <summary>
    /// A line written past the output limit: only a result or an error counts, the job's answer; a line naming neither
    /// is not even parsed, however many there are.
    /// </summary>
    public Task HandleLineKeptPastLimitAsync(byte[] utf8) =>
        utf8.AsSpan().IndexOf("\"result\""u8) >= 0 || utf8.AsSpan().IndexOf("\"error\""u8) >= 0
            ? HandleLineAsync(utf8, _ => Task.CompletedTask, _ => Task.CompletedTask)
            : Task.CompletedTask;

    /// <summary>Classifies how the run ended, the same for a cold process and a warm host's job.</summary>
    public BotRunOutcome Outcome(BotRunEnd end)
    {
        BotRunOutcome Outcome(BotRunStatus status, string? error, bool retryable) =>
            new(status, Result, error, retryable, end.ExitCode, end.Duration, end.PeakMemoryBytes, Truncated, end.ProcessId);

        if (end.Cancelled)
        {
            return Outcome(BotRunStatus.Cancelled, "cancelled", false);
        }
        // An answer written in time stands: only what the bot did after it (a cleanup that hung) ran past the timeout.
        var answeredInTime = end.TimedOut && (_answered || Error is not null);
        if (end.TimedOut && !answeredInTime)
        {
            return Outcome(BotRunStatus.TimedOut, $"The bot ran past its timeout of {end.Timeout.TotalSeconds:0.#} s and was killed.", true);
        }
        if (ProtocolError is { } protocolError)
        {
            return Outcome(BotRunStatus.ProtocolViolation, $"Protocol violation: {protocolError}", false);
        }
        if (Error is { } botError)
        {
            return Outcome(BotRunStatus.Failed, botError, ErrorRetryable);
        }
        if (end.ExitCode is { } exitCode and not 0 && !answeredInTime)
        {
            var signal = exitCode > 128 ? $" (signal {exitCode - 128})" : "";
            return Outcome(BotRunStatus.Crashed, $"The bot exited with code {exitCode}{signal}: {end.ErrorSummary}", true);
        }
        if (!_answered)
        {
            return Outcome(BotRunStatus.ProtocolViolation,
                Ended ? "Protocol violation: the bot finished the job without a result line." : "Protocol violation: the bot exited without a result line.", false);
        }
        return Outcome(BotRunStatus.Completed, null, false);
    }
}
