namespace BotSystem.JobEngine;

/// <summary>How long to wait before retrying a failed attempt.</summary>
/// <param name="Type">Fixed or exponential.</param>
/// <param name="Delay">Base delay; exponential doubles it per attempt.</param>
/// <param name="Jitter">Fraction in [0, 1] by which the delay may be randomly shortened.</param>
public sealed record BackoffOptions(BackoffType Type, TimeSpan Delay, double Jitter = 0);
