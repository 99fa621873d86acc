namespace XeStreamKit.Qemu;

/// <summary>What <see cref="QemuDeviceStateInjector.Inject"/> did.</summary>
/// <param name="Device">The device whose data was replaced (offsets in the original file).</param>
/// <param name="OldDataBytes">Device data bytes the original END section held.</param>
/// <param name="Chain">The injected Xe stream.</param>
/// <param name="Blocks">DEV_DATA_STATE blocks written.</param>
/// <param name="BytesWritten">Size of the new file.</param>
public readonly record struct QemuInjectResult(QemuVfioDevice Device, long OldDataBytes, XeChainSummary Chain, long Blocks, long BytesWritten);

/// <summary>
/// Replaces one VFIO device's data in a QEMU migration file: every byte is copied as it was,
/// except the device's END section payload (its DEV_DATA_STATE blocks), which becomes the new
/// Xe stream in blocks of the chosen size, followed by the original END_OF_STATE. QEMU streams
/// hold no absolute offsets, so the rest stays valid. Two passes over a seekable source: the
/// first walks to the device's END section, the second copies.
/// </summary>
public static class QemuDeviceStateInjector
{
    /// <summary>Writes <paramref name="source"/> with device <paramref name="idStr"/>'s data
    /// replaced by <paramref name="xeStream"/> to <paramref name="output"/>.</summary>
    /// <exception cref="MigrationStreamFormatException">The source has no such device, the device's
    /// data is not all in its END section (pre-copy) or went over multifd, its END section does not
    /// close with END_OF_STATE, the source is malformed or cut short anywhere (it is walked to its EOF),
    /// or <paramref name="xeStream"/> is not an Xe packet chain.</exception>
    public static QemuInjectResult Inject(Stream source, string idStr, Stream xeStream, Stream output,
        int blockSize = VfioDataBlockWriter.DefaultBlockSize, IProgress<long>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentException.ThrowIfNullOrEmpty(idStr);
        ArgumentNullException.ThrowIfNull(xeStream);
        ArgumentNullException.ThrowIfNull(output);
        if (!source.CanSeek) throw new ArgumentException("The QEMU file must be seekable (it is read twice).", nameof(source));
        var origin = source.Position;

        QemuVfioDevice device;
        using (var reader = new QemuMigrationReader(source, new QemuMigrationReaderOptions { LeaveOpen = true, Progress = progress }))
        {
            var lookup = reader.FindDeviceData(idStr);
            if (lookup.Status == QemuDeviceLookupStatus.Found)
            {
                lookup.Data!.SkipToEnd();
                device = lookup.Device!;
                // The rest is copied as it is, so it is walked first: a cut or corrupt file is refused.
                while (reader.ReadNextSection())
                {
                }
                if (device.DataOutsideEnd)
                    throw new MigrationStreamFormatException(device.FirstDataOffset, -1, null, $"qemu VFIO device '{idStr}'",
                        "has data in START/PART sections (pre-copy); inject replaces data that is all in the END section");
            }
            else if (lookup.Status == QemuDeviceLookupStatus.NoData && lookup.Device!.Multifd == MultifdEvidence.None)
            {
                if (lookup.WalkError is { } walkError) throw walkError;
                device = lookup.Device;
            }
            else
            {
                throw lookup.Failure();
            }
        }
        if (device.EndOfStateOffset < 0)
            throw new MigrationStreamFormatException(device.EndSectionOffset, -1, null, $"qemu VFIO device '{idStr}'",
                "has an END section that closes with DEV_CONFIG_LOAD_READY, not END_OF_STATE (the config went over multifd); inject puts the new data before the END's END_OF_STATE");

        source.Position = origin;
        long written = 0;
        written += CopyExactly(source, output, device.EndPayloadOffset);
        XeChainSummary chain;
        long blocks;
        using (var framer = new VfioDataBlockWriter(output, blockSize, leaveOpen: true))
        {
            chain = XeStreamChain.CopyVerified(xeStream, framer);
            framer.Complete();
            blocks = framer.Blocks;
            written += framer.BytesWritten;
        }
        source.Position = origin + device.EndOfStateOffset;
        var tail = source.Length - source.Position;
        written += CopyExactly(source, output, tail);
        output.Flush();
        return new QemuInjectResult(device, device.DataBytes, chain, blocks, written);
    }

    private static long CopyExactly(Stream source, Stream destination, long count)
    {
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(1 << 20);
        try
        {
            var left = count;
            while (left > 0)
            {
                var n = source.Read(buffer, 0, (int)Math.Min(buffer.Length, left));
                if (n == 0) throw new EndOfStreamException($"The QEMU file ended {left} bytes early while copying.");
                destination.Write(buffer, 0, n);
                left -= n;
            }
            return count;
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
