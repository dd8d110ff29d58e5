using System.Net.Http;
using Spectre.Console;

namespace BotSystem.Botctl;

/// <summary>Turns any failure into one clear line on stderr, never a stack trace.</summary>
public static class ErrorReporter
{
    public const int FailureExitCode = 1;

    public static int Report(Exception exception)
    {
        var message = exception switch
        {
            GatewayException gateway => gateway.Message,
            HttpRequestException http => $"cannot reach the server: {http.Message}",
            TaskCanceledException => "the request timed out",
            _ => exception.Message,
        };
        var error = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        error.MarkupLineInterpolated($"[red]error:[/] {message}");
        return FailureExitCode;
    }
}
