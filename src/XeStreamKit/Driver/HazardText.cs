using XeStreamKit.Catalog;

namespace XeStreamKit.Driver;

/// <summary>How a driver hazard is named in text and JSON: the outcome (<c>kernel-oops</c>,
/// <c>hang</c>) and where it strikes (<c>write</c>: inside the write() call, <c>worker</c>: in
/// the GT's restore worker).</summary>
public static class HazardText
{
    /// <summary><c>kernel-oops</c>, <c>hang</c>, or <c>errno</c> for a plain failure.</summary>
    public static string Outcome(DriverHazard hazard) => hazard switch
    {
        DriverHazard.OopsInWrite or DriverHazard.OopsInWorker => "kernel-oops",
        DriverHazard.Hang => "hang",
        _ => "errno",
    };

    /// <summary><c>write</c> or <c>worker</c> for an oops, <c>write</c> for a hang, null otherwise.</summary>
    public static string? Context(DriverHazard hazard) => hazard switch
    {
        DriverHazard.OopsInWorker => "worker",
        DriverHazard.OopsInWrite or DriverHazard.Hang => "write",
        _ => null,
    };

    /// <summary>Parses <see cref="Outcome"/> and <see cref="Context"/> back.</summary>
    public static DriverHazard Parse(string? outcome, string? context) => outcome switch
    {
        "kernel-oops" => context == "worker" ? DriverHazard.OopsInWorker : DriverHazard.OopsInWrite,
        "hang" => DriverHazard.Hang,
        _ => DriverHazard.None,
    };

    /// <summary>One phrase: <c>kernel oops inside write()</c>, <c>kernel oops in the GT worker</c>, <c>write() hangs</c>.</summary>
    public static string Phrase(DriverHazard hazard) => hazard switch
    {
        DriverHazard.OopsInWrite => "kernel oops inside write()",
        DriverHazard.OopsInWorker => "kernel oops in the GT restore worker",
        DriverHazard.Hang => "write() never returns",
        _ => "no hazard",
    };

    /// <summary>What user space sees after the hazard (beyond the errno, if any).</summary>
    public static string Aftermath(DriverHazard hazard) => hazard switch
    {
        DriverHazard.OopsInWrite => "the writing task is killed while it holds the VF's migration mutex, so later migration I/O on the VF blocks; with panic_on_oops the host panics",
        DriverHazard.OopsInWorker => "the GT never reaches RESTORED, so leaving RESUMING times out (ETIMEDOUT after 20 s); with panic_on_oops the host panics",
        DriverHazard.Hang => "the writer sleeps with the VF's migration mutex held until a signal interrupts it",
        _ => "",
    };
}
