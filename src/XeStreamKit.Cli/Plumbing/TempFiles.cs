using System.Collections.Concurrent;
using System.Runtime.InteropServices;

namespace XeStreamKit.Cli.Plumbing;

/// <summary>
/// The temporary files and directories a command has made and not yet renamed or deleted, removed
/// when SIGINT, SIGTERM or SIGHUP ends the process (which then dies of the signal as before: exit
/// 130, 143, 129 in a shell). Normal and failing exits remove them through <see cref="IDisposable"/>.
/// </summary>
public static partial class TempFiles
{
    private static readonly ConcurrentDictionary<string, bool> Live = new(StringComparer.Ordinal);
    private static readonly List<PosixSignalRegistration> Registrations = [];

    /// <summary>Records <paramref name="path"/> (a file, or a directory removed with its contents)
    /// until the returned handle is disposed.</summary>
    public static IDisposable Track(string path, bool directory = false)
    {
        Live[path] = directory;
        return new Handle(path);
    }

    /// <summary>Installs the signal handlers (once per process; the real console only).</summary>
    public static void RemoveOnSignals()
    {
        lock (Registrations)
        {
            if (Registrations.Count > 0) return;
            foreach (var signal in new[] { PosixSignal.SIGINT, PosixSignal.SIGTERM, PosixSignal.SIGHUP })
                Registrations.Add(PosixSignalRegistration.Create(signal, OnSignal));
        }
    }

    private static void OnSignal(PosixSignalContext context)
    {
        RemoveAll();
        // Die of the signal, as a shell expects (128 + signal number), not by .NET's orderly
        // shutdown, which would run on while the command's thread keeps writing.
        var number = context.Signal switch
        {
            PosixSignal.SIGINT => 2,
            PosixSignal.SIGTERM => 15,
            PosixSignal.SIGHUP => 1,
            _ => 0,
        };
        if (number == 0) return;
        Console.Error.Flush();
        // Die of the signal itself (default disposition, then the signal again), so a shell or a
        // make sees "killed by SIGINT" (status 128 + n) and no managed shutdown can hang on a
        // thread still in the middle of a write; _exit is the fallback should it survive.
        Signal(number, 0 /* SIG_DFL */);
        Kill(GetPid(), number);
        Thread.Sleep(1000);
        Exit(128 + number);
    }

    [LibraryImport("libc", EntryPoint = "signal")]
    private static partial nint Signal(int signal, nint handler);

    [LibraryImport("libc", EntryPoint = "kill")]
    private static partial int Kill(int pid, int signal);

    [LibraryImport("libc", EntryPoint = "getpid")]
    private static partial int GetPid();

    [LibraryImport("libc", EntryPoint = "_exit")]
    private static partial void Exit(int status);

    /// <summary>Deletes everything still tracked.</summary>
    public static void RemoveAll()
    {
        foreach (var (path, directory) in Live)
        {
            try
            {
                if (directory) Directory.Delete(path, recursive: true);
                else File.Delete(path);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
            }
            Live.TryRemove(path, out _);
        }
    }

    private sealed class Handle(string path) : IDisposable
    {
        public void Dispose() => Live.TryRemove(path, out _);
    }
}
