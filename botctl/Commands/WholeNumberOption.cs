using System.Globalization;
using Spectre.Console;

namespace BotSystem.Botctl.Commands;

/// <summary>
/// Whole-number options are taken as text and read here: the parser's own refusal of "abc" names a .NET type
/// ("Nullable`1"), not the option.
/// </summary>
public static class WholeNumberOption
{
    public static ValidationResult Check(string? value, string option) =>
        value is null || long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _)
            ? ValidationResult.Success()
            : ValidationResult.Error($"{option} must be a whole number, not '{value}'.");

    /// <summary>The number of an option that passed <see cref="Check"/>, or null when it was not given.</summary>
    public static long? Read(string? value) => value is null ? null : long.Parse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
}
