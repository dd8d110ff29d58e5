using System.Text;
using System.Text.Json.Nodes;

namespace BotSystem.Workers.Runners;

/// <summary>
/// Reads a bot's stdout as JSON lines, a job at a time: to the end of the stream (cold) or to the host's end-of-job
/// line (warm). Never holds more than a job's output limit, and past it no more of a line than a result may be: past
/// it, lines are dropped with a truncation marker, while the end-of-job line and a result or error line still count.
/// </summary>
internal sealed class BotOutputReader(Stream stdout, int maxOutputBytes, int maxResultBytes)
{
    public const string TruncationMarker = "[output truncated]";

    private readonly byte[] _buffer = new byte[16 * 1024];
    private readonly MemoryStream _line = new();
    private int _start;
    private int _end;

    public async Task<BotOutput> ReadJobAsync(string? endOfJob, Func<JsonNode, Task> onProgress, Func<string, Task> onLog)
    {
        var output = new BotOutput(maxResultBytes);
        var marker = endOfJob is null ? [] : Encoding.UTF8.GetBytes(endOfJob);
        var keptPastLimit = Math.Max(marker.Length, maxResultBytes);
        long total = 0;
        while (true)
        {
            if (_start == _end)
            {
                _start = 0;
                _end = await stdout.ReadAsync(_buffer);
                if (_end == 0)
                {
                    if (_line.Length > 0 && !output.Truncated)
                    {
                        await output.HandleLineAsync(TakeLine(), onProgress, onLog);
                    }
                    else if (_line.Length > 0 && _line.Length <= keptPastLimit)
                    {
                        await output.HandleLineKeptPastLimitAsync(TakeLine());
                    }
                    _line.SetLength(0);
                    return output;
                }
            }
            var newline = Array.IndexOf(_buffer, (byte)'\n', _start, _end - _start);
            var stop = newline < 0 ? _end : newline;
            total += stop - _start;
            if (!output.Truncated && total > maxOutputBytes)
            {
                output.Truncated = true;
                await onLog(TruncationMarker);
            }
            if (!output.Truncated)
            {
                _line.Write(_buffer, _start, stop - _start);
            }
            else if (_line.Length <= keptPastLimit)
            {
                // Past the limit only a line's head is kept: enough to tell the end-of-job line, and a result or error
                // line whole, which decides how the job ends.
                _line.Write(_buffer, _start, Math.Min(stop - _start, keptPastLimit + 1 - (int)_line.Length));
            }
            _start = stop;
            if (newline < 0)
            {
                continue;
            }
            _start = newline + 1;
            total++;
            var whole = _line.Length <= keptPastLimit;
            var line = TakeLine();
            if (endOfJob is not null && line.AsSpan().SequenceEqual(marker))
            {
                output.Ended = true;
                return output;
            }
            if (!output.Truncated)
            {
                await output.HandleLineAsync(line, onProgress, onLog);
            }
            else if (whole)
            {
                await output.HandleLineKeptPastLimitAsync(line);
            }
        }
    }

    private byte[] TakeLine()
    {
        var line = _line.ToArray();
        _line.SetLength(0);
        return line;
    }
}
