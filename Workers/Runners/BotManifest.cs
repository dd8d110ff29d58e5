using System.Text.Json;
using System.Text.Json.Nodes;

namespace BotSystem.Workers.Runners;

/// <summary>
/// What a bot declares about how it runs, in <c>&lt;bot&gt;.bot.json</c> next to it, e.g.
/// <c>{"mode":"warm","maxJobs":200}</c>. A bot without a manifest runs cold.
/// </summary>
public sealed record BotManifest(BotMode Mode, int MaxJobs)
{
    public const string FileSuffix = ".bot.json";
    public const int DefaultMaxJobs = 1000;
    private const int MaxJobsLimit = 1_000_000;

    public static BotManifest Cold { get; } = new(BotMode.Cold, 1);

    public static string PathOf(string directory, string bot) => Path.Combine(directory, bot + FileSuffix);

    /// <summary>Reads a manifest; a missing file means cold; a bad one throws <see cref="InvalidDataException"/> naming the field.</summary>
    public static BotManifest Load(string path)
    {
        return File.Exists(path) ? Parse(File.ReadAllText(path), path) : Cold;
    }

    public static BotManifest Parse(string json, string path)
    {
        JsonObject manifest;
        try
        {
            manifest = JsonNode.Parse(json) as JsonObject ?? throw Invalid(path, "must be a JSON object");
        }
        catch (JsonException ex)
        {
            throw Invalid(path, $"is not valid JSON: {ex.Message}");
        }
        foreach (var (name, _) in manifest)
        {
            if (name is not ("mode" or "maxJobs"))
            {
                throw Invalid(path, $"has the unknown field '{name}'; the fields are 'mode' and 'maxJobs'");
            }
        }
        var mode = manifest["mode"] switch
        {
            null => BotMode.Cold,
            JsonValue value when value.GetValueKind() == JsonValueKind.String && value.GetValue<string>() == "cold" => BotMode.Cold,
            JsonValue value when value.GetValueKind() == JsonValueKind.String && value.GetValue<string>() == "warm" => BotMode.Warm,
            _ => throw Invalid(path, "field 'mode' must be \"cold\" or \"warm\""),
        };
        var maxJobs = manifest["maxJobs"] switch
        {
            null => DefaultMaxJobs,
            JsonValue value when value.TryGetValue<int>(out var jobs) && jobs is >= 1 and <= MaxJobsLimit => jobs,
            _ => throw Invalid(path, $"field 'maxJobs' must be a whole number from 1 to {MaxJobsLimit}"),
        };
        return mode == BotMode.Cold ? Cold : new BotManifest(mode, maxJobs);
    }

    private static InvalidDataException Invalid(string path, string problem) => new($"The bot manifest '{path}' {problem}.");
}
