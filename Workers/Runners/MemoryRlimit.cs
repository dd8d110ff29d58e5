namespace BotSystem.Workers.Runners;

/// <summary>Which resource limit holds a bot's interpreter to the memory limit from its first instruction.</summary>
public enum MemoryRlimit
{
    /// <summary>RLIMIT_AS: every byte of address space it maps.</summary>
    AddressSpace,

    /// <summary>
    /// RLIMIT_DATA: only the writable private memory it maps, for runtimes that reserve far more address space than they
    /// use (V8), while their memory outside any heap (Node's Buffers) still counts.
    /// </summary>
    Data,

    /// <summary>None from the sandbox: the runtime is told the limit itself (Java's <c>-Xmx</c>).</summary>
    Runtime,
}
