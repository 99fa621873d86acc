namespace XeStreamKit.Format;

/// <summary>Names of packet types for people and machines. Machine names are the spec's enum ids.</summary>
public static class PacketTypeText
{
    /// <summary>The spec id (descriptor, trailer, ggtt, mmio, guc, vram) or <c>unknown</c>.</summary>
    public static string Id(PacketType type) => PacketTypeInfo.IdOf(type) ?? "unknown";

    /// <summary>The name the driver's sources and documentation use (GuC, GGTT, ...), or <c>type N</c>.</summary>
    public static string Display(PacketType type) => type switch
    {
        PacketType.Ggtt or PacketType.Mmio or PacketType.Vram => Id(type).ToUpperInvariant(),
        PacketType.Guc => "GuC",
        _ when PacketTypeInfo.IsDefined(type) => Id(type),
        _ => $"type {(byte)type}",
    };
}
