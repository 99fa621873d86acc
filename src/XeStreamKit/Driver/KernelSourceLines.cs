namespace XeStreamKit.Driver;

/// <summary>
/// The line ranges of the kernel functions where driver hazards strike, counted in the file
/// (torvalds/linux) at the cited commit: from the line naming the function (after its kernel-doc
/// comment) to its closing brace. The one source of the ranges, for the driver model's hazard
/// citations and the corpus manifest alike. A citation whose file was not readable at that commit,
/// or whose file at that commit lacks the function, has no range rather than a guessed one.
/// </summary>
internal static class KernelSourceLines
{
    private static readonly Dictionary<string, (int First, int Last)> Counted = new(StringComparer.Ordinal)
    {
        // drivers/gpu/drm/xe/xe_sriov_packet.c at 83675851547e835c15252c601f41acf269c351d9 (6.19)
        ["xe_sriov_packet.c@83675851547e:xe_sriov_packet_process_descriptor"] = (405, 463),
        // drivers/gpu/drm/drm_exec.c at 9356b50af547e872d9191754c72c83ff6be3b97c
        ["drm_exec.c@9356b50af547:drm_exec_lock_obj"] = (209, 250),
    };

    /// <summary>Every counted citation (file@commit:function) with its first and last line.</summary>
    public static IReadOnlyDictionary<string, (int First, int Last)> All => Counted;

    /// <summary><c>file@commit:function</c>, followed by <c>:L&lt;first&gt;-L&lt;last&gt;</c> when the range was counted.</summary>
    public static string Cite(string fileAtCommit, string function)
    {
        var citation = $"{fileAtCommit}:{function}";
        return Counted.TryGetValue(citation, out var r) ? $"{citation}:L{r.First}-L{r.Last}" : citation;
    }
}
