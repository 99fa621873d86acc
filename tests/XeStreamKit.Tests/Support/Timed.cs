using System.Runtime.ExceptionServices;

namespace XeStreamKit.Tests.Support;

/// <summary>
/// Runs blocking code (FIFO opens, reads, device calls) on its own background thread and fails
/// the test if it does not finish in time, so that no test can hang: a thread stuck in a
/// system call cannot be aborted, but a background thread does not keep the test host alive.
/// </summary>
public static class Timed
{
    /// <summary>The default limit for one device operation in tests.</summary>
    public static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);

    public static void Run(Action action, TimeSpan? limit = null, Action? onTimeout = null) =>
        Run<object?>(() =>
        {
            action();
            return null;
        }, limit, onTimeout);

    /// <summary>Runs <paramref name="func"/>; on timeout calls <paramref name="onTimeout"/> (e.g. to
    /// unblock the thread) and throws <see cref="TimeoutException"/>.</summary>
    public static T Run<T>(Func<T> func, TimeSpan? limit = null, Action? onTimeout = null)
    {
        T result = default!;
        ExceptionDispatchInfo? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                result = func();
            }
            catch (Exception e)
            {
                failure = ExceptionDispatchInfo.Capture(e);
            }
        })
        {
            IsBackground = true,
            Name = "timed test step",
        };
        thread.Start();
        var wait = limit ?? Limit;
        if (!thread.Join(wait))
        {
            onTimeout?.Invoke();
            throw new TimeoutException($"The step did not finish within {wait.TotalSeconds:0.#} s.");
        }
        failure?.Throw();
        return result;
    }
}
