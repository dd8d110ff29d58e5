using System.Text.RegularExpressions;

namespace Observability.Tests;

/// <summary>Finds the metric names a PromQL expression selects, to hold rules and panels to the published names.</summary>
public static partial class PromQlMetrics
{
    private static readonly HashSet<string> Keywords =
        ["and", "or", "unless", "by", "without", "on", "ignoring", "group_left", "group_right", "bool", "offset", "inf", "nan"];

    public static IReadOnlySet<string> In(string expression)
    {
        var bare = StringLiteral().Replace(expression, "");
        bare = LabelMatchers().Replace(bare, "");
        bare = RangeSelector().Replace(bare, "");
        bare = GroupingClause().Replace(bare, "");
        return Identifier().Matches(bare)
            .Where(match => !bare[(match.Index + match.Length)..].TrimStart().StartsWith('('))
            .Select(match => match.Value)
            .Where(name => !Keywords.Contains(name.ToLowerInvariant()))
            .ToHashSet();
    }

    [GeneratedRegex("\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'")]
    private static partial Regex StringLiteral();

    [GeneratedRegex(@"\{[^}]*\}")]
    private static partial Regex LabelMatchers();

    [GeneratedRegex(@"\[[^\]]*\]")]
    private static partial Regex RangeSelector();

    [GeneratedRegex(@"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)")]
    private static partial Regex GroupingClause();

    [GeneratedRegex(@"(?<![\w.$])[a-zA-Z_:][a-zA-Z0-9_:]*")]
    private static partial Regex Identifier();
}
