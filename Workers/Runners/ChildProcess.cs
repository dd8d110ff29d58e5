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

    /// <summary>Starts <paramref name="path"/> (an absolute path: no search) with exactly the given environment.</summary>
    public static unsafe ChildProcess Start(string path, IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string> environment, string workingDirectory)
    {
        int* stdin = stackalloc int[2];
        int* stdout = stackalloc int[2];
        int* stderr = stackalloc int[2];
        CreatePipe(stdin);
        CreatePipe(stdout);
        CreatePipe(stderr);
        // Opaque glibc structures (336 and 80 bytes on Linux), given generous, aligned room.
        var attributes = stackalloc long[128];
        var actions = stackalloc long[64];
        var allSignals = stackalloc long[16];
        var noSignals = stackalloc long[16];
        var strings = new List<IntPtr>();
        try
        {
            Check(posix_spawn_file_actions_init(actions), "posix_spawn_file_actions_init");
            Check(posix_spawn_file_actions_adddup2(actions, stdin[0], 0), "posix_spawn_file_actions_adddup2");
            Check(posix_spawn_file_actions_adddup2(actions, stdout[1], 1), "posix_spawn_file_actions_adddup2");
            Check(posix_spawn_file_actions_adddup2(actions, stderr[1], 2), "posix_spawn_file_actions_adddup2");
            Check(posix_spawn_file_actions_addchdir_np(actions, workingDirectory), "posix_spawn_file_actions_addchdir_np");
            Check(posix_spawnattr_init(attributes), "posix_spawnattr_init");
            // Group 0: the child leads a group of its own. Signals start at their defaults and unblocked, not as the runtime set them.
            Check(posix_spawnattr_setflags(attributes, SpawnSetProcessGroup | SpawnSetSignalDefaults | SpawnSetSignalMask), "posix_spawnattr_setflags");
            Check(posix_spawnattr_setpgroup(attributes, 0), "posix_spawnattr_setpgroup");
            sigfillset(allSignals);
            sigemptyset(noSignals);
            Check(posix_spawnattr_setsigdefault(attributes, allSignals), "posix_spawnattr_setsigdefault");
            Check(posix_spawnattr_setsigmask(attributes, noSignals), "posix_spawnattr_setsigmask");

            var argv = NullTerminated([path, .. arguments], strings);
            var envp = NullTerminated([.. environment.Select(variable => $"{variable.Key}={variable.Value}")], strings);
            int pid;
            fixed (IntPtr* argvPointer = argv)
            fixed (IntPtr* envpPointer = envp)
            {
                var error = posix_spawn(&pid, path, actions, attributes, argvPointer, envpPointer);
                if (error != 0)
                {
                    throw new IOException($"Could not start {path}: {Marshal.GetPInvokeErrorMessage(error)}.");
                }
            }
            _ = close(stdin[0]);
            _ = close(stdout[1]);
            _ = close(stderr[1]);
            return new ChildProcess(pid, stdin[1], stdout[0], stderr[0]);
        }
        catch
        {
            foreach (var fd in new[] { stdin[0], stdin[1], stdout[0], stdout[1], stderr[0], stderr[1] })
            {
                _ = close(fd);
            }
            throw;
        }
        finally
        {
            _ = posix_spawn_file_actions_destroy(actions);
            _ = posix_spawnattr_destroy(attributes);
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
        StandardInput.Dispose();
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
            pointers[i] = Marshal.StringToCoTaskMemUTF8(values[i]);
            allocated.Add(pointers[i]);
        }
        return pointers;
    }

    private static void Check(int error, string function)
    {
        if (error != 0)
        {
            throw new IOException($"{function} failed: {Marshal.GetPInvokeErrorMessage(error)}.");
        }
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

    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int posix_spawn_file_actions_addchdir_np(long* actions, string path);

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

    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int posix_spawn(int* pid, string path, long* actions, long* attributes, IntPtr* argv, IntPtr* envp);
}
