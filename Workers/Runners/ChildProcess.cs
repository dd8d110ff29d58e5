using System.IO.Pipes;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace BotSystem.Workers.Runners;

/// <summary>
/// A child process started with <c>posix_spawn</c> as the leader of a new process group in the worker's session,
/// with piped stdin, stdout and stderr. <see cref="System.Diagnostics.Process"/> cannot start a process group on
/// Unix, and <c>setsid</c> would open a new session, which the scheduler (autogroups) treats as a new user: under load
/// a multi-threaded runtime then starts tens of milliseconds later.
/// </summary>
internal sealed partial class ChildProcess : IDisposable
{
    private const int OCloexec = 0x80000;
    private const int WNoHang = 1;
    private const int EChild = 10;
    private const short SpawnSetProcessGroup = 0x02;
    private const short SpawnSetSignalDefaults = 0x04;
    private const short SpawnSetSignalMask = 0x08;
    private static readonly TimeSpan LongestExitPoll = TimeSpan.FromMilliseconds(20);

    private readonly Lock _exitLock = new();
    private Task<int>? _exit;

    private ChildProcess(int id, int stdin, int stdout, int stderr)
    {
        Id = id;
        StandardInput = new StreamWriter(Pipe(stdin, PipeDirection.Out), new UTF8Encoding(false)) { AutoFlush = true };
        StandardOutput = Pipe(stdout, PipeDirection.In);
        StandardError = Pipe(stderr, PipeDirection.In);
    }

    /// <summary>The process id, which is also its process group id.</summary>
    public int Id { get; }

    public StreamWriter StandardInput { get; }

    public Stream StandardOutput { get; }

    public Stream StandardError { get; }

    /// <summary>
    /// Starts <paramref name="path"/> (an absolute path: no search) with exactly the given environment. Everything is
    /// prepared here; <paramref name="spawnOn"/> runs the one native spawn call on the thread it chooses.
    /// </summary>
    public static unsafe ChildProcess Start(string path, IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string> environment,
        string workingDirectory, Func<Func<int>, int> spawnOn)
    {
        int[] fds = [-1, -1, -1, -1, -1, -1];
        var strings = new List<IntPtr>();
        try
        {
            fixed (int* pipes = fds)
            {
                CreatePipe(pipes);
                CreatePipe(pipes + 2);
                CreatePipe(pipes + 4);
            }
            var file = Utf8(path, strings);
            var directory = Utf8(workingDirectory, strings);
            var argv = NullTerminated([path, .. arguments], strings);
            var envp = NullTerminated([.. environment.Select(variable => $"{variable.Key}={variable.Value}")], strings);
            var result = spawnOn(() => Spawn(file, directory, argv, envp, stdin: fds[0], stdout: fds[3], stderr: fds[5]));
            if (result < 0)
            {
                throw new IOException($"Could not start {path}: {Marshal.GetPInvokeErrorMessage(-result)}.");
            }
            _ = close(fds[0]);
            _ = close(fds[3]);
            _ = close(fds[5]);
            return new ChildProcess(result, stdin: fds[1], stdout: fds[2], stderr: fds[4]);
        }
        catch
        {
            foreach (var fd in fds.Where(fd => fd >= 0))
            {
                _ = close(fd);
            }
            throw;
        }
        finally
        {
            strings.ForEach(Marshal.FreeCoTaskMem);
        }
    }

    /// <summary>Waits for the exit and reaps the process; the result is its exit code, or 128 + the signal that killed it.</summary>
    public Task<int> WaitForExitAsync()
    {
        lock (_exitLock)
        {
            return _exit ??= ReapAsync();
        }
    }

    public void Dispose()
    {
        try
        {
            StandardInput.Dispose();
        }
        catch (IOException)
        {
            // The process closed its end before reading all it was sent, which is of no use to anyone now.
        }
        StandardOutput.Dispose();
        StandardError.Dispose();
    }

    private async Task<int> ReapAsync()
    {
        // Polled rather than waited for on a blocked thread: exit follows the end of output within moments.
        var delay = TimeSpan.FromMilliseconds(1);
        while (true)
        {
            var (reaped, status) = TryReap();
            if (reaped == Id)
            {
                return (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f);
            }
            if (reaped < 0 && Marshal.GetLastPInvokeError() == EChild)
            {
                // Reaped by someone else (a runtime told to reap every child): the exit code is lost.
                return -1;
            }
            await Task.Delay(delay);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, LongestExitPoll.Ticks));
        }
    }

    /// <summary>The spawn itself, native calls only (no managed allocation): the pid, or the negated error number.</summary>
    private static unsafe int Spawn(IntPtr file, IntPtr directory, IntPtr[] argv, IntPtr[] envp, int stdin, int stdout, int stderr)
    {
        // Opaque glibc structures (336 and 80 bytes on Linux), given generous, aligned room.
        var attributes = stackalloc long[128];
        var actions = stackalloc long[64];
        var allSignals = stackalloc long[16];
        var noSignals = stackalloc long[16];
        var error = posix_spawn_file_actions_init(actions);
        if (error != 0)
        {
            return -error;
        }
        error = posix_spawnattr_init(attributes);
        if (error != 0)
        {
            _ = posix_spawn_file_actions_destroy(actions);
            return -error;
        }
        try
        {
            _ = sigfillset(allSignals);
            _ = sigemptyset(noSignals);
            var pid = 0;
            // Group 0: the child leads a group of its own. Signals start at their defaults and unblocked, not as the runtime set them.
            fixed (IntPtr* argvPointer = argv)
            fixed (IntPtr* envpPointer = envp)
            {
                error = posix_spawn_file_actions_adddup2(actions, stdin, 0);
                error = error != 0 ? error : posix_spawn_file_actions_adddup2(actions, stdout, 1);
                error = error != 0 ? error : posix_spawn_file_actions_adddup2(actions, stderr, 2);
                error = error != 0 ? error : posix_spawn_file_actions_addchdir_np(actions, directory);
                error = error != 0 ? error : posix_spawnattr_setflags(attributes, SpawnSetProcessGroup | SpawnSetSignalDefaults | SpawnSetSignalMask);
                error = error != 0 ? error : posix_spawnattr_setpgroup(attributes, 0);
                error = error != 0 ? error : posix_spawnattr_setsigdefault(attributes, allSignals);
                error = error != 0 ? error : posix_spawnattr_setsigmask(attributes, noSignals);
                error = error != 0 ? error : posix_spawn(&pid, file, actions, attributes, argvPointer, envpPointer);
            }
            return error != 0 ? -error : pid;
        }
        finally
        {
            _ = posix_spawn_file_actions_destroy(actions);
            _ = posix_spawnattr_destroy(attributes);
        }
    }

    private unsafe (int Reaped, int Status) TryReap()
    {
        var status = 0;
        var reaped = waitpid(Id, &status, WNoHang);
        return (reaped, status);
    }

    private static AnonymousPipeClientStream Pipe(int fd, PipeDirection direction) =>
        new(direction, new SafePipeHandle(fd, ownsHandle: true));

    private static unsafe void CreatePipe(int* fds)
    {
        if (pipe2(fds, OCloexec) != 0)
        {
            throw new IOException($"Could not create a pipe: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}.");
        }
    }

    private static IntPtr[] NullTerminated(string[] values, List<IntPtr> allocated)
    {
        var pointers = new IntPtr[values.Length + 1];
        for (var i = 0; i < values.Length; i++)
        {
            pointers[i] = Utf8(values[i], allocated);
        }
        return pointers;
    }

    private static IntPtr Utf8(string value, List<IntPtr> allocated)
    {
        var pointer = Marshal.StringToCoTaskMemUTF8(value);
        allocated.Add(pointer);
        return pointer;
    }

    [LibraryImport("libc", SetLastError = true)]
    private static unsafe partial int pipe2(int* fds, int flags);

    [LibraryImport("libc")]
    private static partial int close(int fd);

    [LibraryImport("libc", SetLastError = true)]
    private static unsafe partial int waitpid(int pid, int* status, int options);

    [LibraryImport("libc")]
    private static unsafe partial int sigemptyset(long* set);

    [LibraryImport("libc")]
    private static unsafe partial int sigfillset(long* set);

    [LibraryImport("libc")]
    private static unsafe partial int posix_spawn_file_actions_init(long* actions);

    [LibraryImport("libc")]
    private static unsafe partial int posix_spawn_file_actions_destroy(long* actions);

    [LibraryImport("libc")]
    private static unsafe partial int posix_spawn_file_actions_adddup2(long* actions, int fd, int newFd);

    [LibraryImport("libc")]
    private static unsafe partial int posix_spawn_file_actions_addchdir_np(long* actions, IntPtr path);

    [LibraryImport("libc")]
    private static unsafe partial int posix_spawnattr_init(long* attributes);

    [LibraryImport("libc")]
    private static unsafe partial int posix_spawnattr_destroy(long* attributes);

    [LibraryImport("libc")]
    private static unsafe partial int posix_spawnattr_setflags(long* attributes, short flags);

    [LibraryImport("libc")]
    private static unsafe partial int posix_spawnattr_setpgroup(long* attributes, int processGroup);

    [LibraryImport("libc")]
    private static unsafe partial int posix_spawnattr_setsigdefault(long* attributes, long* signals);

    [LibraryImport("libc")]
    private static unsafe partial int posix_spawnattr_setsigmask(long* attributes, long* signals);

    [LibraryImport("libc")]
    private static unsafe partial int posix_spawn(int* pid, IntPtr path, long* actions, long* attributes, IntPtr* argv, IntPtr* envp);
}
