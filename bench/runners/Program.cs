using System.Globalization;
using BotSystem.Contracts;
using RunnersBench;

var coldRounds = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 30;
var warmJobs = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 2000;
var types = args.Length > 2 ? args[2].Split(',') : BotTypes.All;

await using var bench = RunnerBench.Create();
foreach (var type in types)
{
    Console.WriteLine((await bench.MeasureAsync(type, coldRounds, warmJobs)).ToJsonString());
}
