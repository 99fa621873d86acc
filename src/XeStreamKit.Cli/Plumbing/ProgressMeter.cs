using System.Diagnostics;

namespace XeStreamKit.Cli.Plumbing;

/// <summary>
/// A one-line progress display on stderr (bytes, total when known, rate), redrawn at most five
/// times a second and only when stderr is a terminal; erased when done.
/// </summary>
public sealed class ProgressMeter : IProgress<long>, IDisposable
{
    private readonly TextWriter? _out;
    private readonly string _label;
    private readonly long? _total;
    private readonly long _start;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private long _lastDraw = -1000;
    private bool _drawn;

    /// <summary>A meter that draws only when <paramref name="enabled"/> (stderr is a terminal).</summary>
    public ProgressMeter(TextWriter stderr, bool enabled, string label, long? total, long start = 0)
    {
        _out = enabled ? stderr : null;
        _label = label;
        _total = total;
        _start = start;
    }

    /// <summary>True when stderr is a terminal and progress should be shown.</summary>
    public static bool TerminalAttached => !Console.IsErrorRedirected;

    /// <summary>Records the current absolute position.</summary>
    public void Report(long position)
    {
        if (_out is null) return;
        var now = _clock.ElapsedMilliseconds;
        if (now - _lastDraw < 200) return;
        _lastDraw = now;
        var done = position - _start;
        var rate = now > 0 ? done / (now / 1000.0) : 0;
        var total = _total is { } t ? $" / {Units.Bytes(t)}" : "";
        var pct = _total is { } tt && tt > 0 ? $" {100.0 * done / tt,5:F1}%" : "";
        _out.Write($"\r{_label}: {Units.Bytes(done)}{total}{pct}  {Units.Rate(rate)}   ");
        _drawn = true;
    }

    /// <summary>Erases the line.</summary>
    public void Dispose()
    {
        if (!_drawn) return;
        _drawn = false;
        Erase(_out!);
    }

    /// <summary>Erases a one-line status written with <c>\r</c>.</summary>
    public static void Erase(TextWriter stderr) => stderr.Write("\r" + new string(' ', 72) + "\r");
}
