using EngineBench;

// EngineBench [jobs] [rounds]: the comparison; one JSON line per concurrency on stdout.
// EngineBench ours <redis port> add <jobs> | process <jobs> <concurrency>: one measurement of our engine, run as a child.
return args is ["ours", .. var side]
    ? await OurSide.RunAsync(side)
    : await EngineComparison.RunAsync(args);
