using System.Globalization;
using System.Text;

namespace BotSystem.Testing;

/// <summary>Reads what a service serves on <c>/metrics</c> (the Prometheus text format) into samples, for assertions on names, labels and values.</summary>
public static class PrometheusExposition
{
    /// <summary>GETs <paramref name="metricsUrl"/> (e.g. <c>http://127.0.0.1:3000/metrics</c>) and parses it.</summary>
    public static async Task<IReadOnlyList<MetricSample>> ScrapeAsync(string metricsUrl)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        return Parse(await http.GetStringAsync(metricsUrl));
    }

    public static IReadOnlyList<MetricSample> Parse(string exposition)
    {
        var samples = new List<MetricSample>();
        foreach (var rawLine in exposition.Split('\n'))
        {
            var line = rawLine.Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }
            samples.Add(ParseSample(line));
        }
        return samples;
    }

    private static MetricSample ParseSample(string line)
    {
        var nameEnd = line.IndexOfAny(['{', ' ']);
        if (nameEnd <= 0)
        {
            throw new FormatException($"Not a sample line: '{line}'.");
        }
        var name = line[..nameEnd];
        var labels = new Dictionary<string, string>();
        var position = nameEnd;
        if (line[position] == '{')
        {
            position = ParseLabels(line, position + 1, labels);
        }
        var fields = line[position..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length == 0)
        {
            throw new FormatException($"Sample without a value: '{line}'.");
        }
        return new MetricSample(name, labels, ParseValue(fields[0]));
    }

    /// <summary>Reads <c>a="x",b="y\"z"}</c> from <paramref name="position"/>; returns the index after the closing brace.</summary>
    private static int ParseLabels(string line, int position, Dictionary<string, string> labels)
    {
        while (true)
        {
            while (position < line.Length && line[position] is ' ' or ',')
            {
                position++;
            }
            if (position >= line.Length)
            {
                throw new FormatException($"Unterminated labels: '{line}'.");
            }
            if (line[position] == '}')
            {
                return position + 1;
            }
            var equals = line.IndexOf('=', position);
            if (equals < 0 || equals + 1 >= line.Length || line[equals + 1] != '"')
            {
                throw new FormatException($"Malformed label at {position}: '{line}'.");
            }
            var labelName = line[position..equals].Trim();
            var value = new StringBuilder();
            position = equals + 2;
            while (position < line.Length && line[position] != '"')
            {
                if (line[position] == '\\' && position + 1 < line.Length)
                {
                    position++;
                    value.Append(line[position] == 'n' ? '\n' : line[position]);
                }
                else
                {
                    value.Append(line[position]);
                }
                position++;
            }
            labels[labelName] = value.ToString();
            position++;
        }
    }

    private static double ParseValue(string text) => text switch
    {
        "+Inf" or "Inf" => double.PositiveInfinity,
        "-Inf" => double.NegativeInfinity,
        "NaN" => double.NaN,
        _ => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture),
    };
}
