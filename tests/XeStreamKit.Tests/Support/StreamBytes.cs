using XeStreamKit.Devices;

namespace XeStreamKit.Tests.Support;

/// <summary>Saves and streams read into memory.</summary>
public static class StreamBytes
{
    /// <summary>Every byte of <paramref name="source"/> up to its end (<see cref="Stream.CopyTo(Stream)"/> into memory).</summary>
    public static byte[] ReadAllBytes(this Stream source)
    {
        var ms = new MemoryStream();
        source.CopyTo(ms);
        return ms.ToArray();
    }

    /// <summary>The save of a paused <paramref name="device"/>: <c>BeginSave</c> read to its end, then <c>FinishSave</c>.</summary>
    public static byte[] SaveToBytes(this IMigrationDevice device)
    {
        var bytes = device.BeginSave().ReadAllBytes();
        device.FinishSave();
        return bytes;
    }
}
