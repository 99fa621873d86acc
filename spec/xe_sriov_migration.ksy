meta:
  id: xe_sriov_migration
  title: Intel Xe SR-IOV VF migration data stream
  application: Linux xe PF driver, xe-vfio-pci (Linux 6.19 and later)
  license: MIT
  ks-version: "0.11"
  endian: le
doc: |
  The migration data of one Intel Xe SR-IOV virtual function, as the xe PF driver emits it
  on save (read from the xe-vfio-pci migration data fd in STOP_COPY, or from the PF debugfs
  file sriov/vfN/migration_data) and consumes it on restore (written in RESUMING).

  The stream is a plain concatenation of packets until end of stream: a fixed 24-byte header
  followed by `size` bytes of payload. There is no magic number, no stream-level header and no
  checksum. All integers are host-endian, i.e. little-endian on every host Xe runs on.

  A save from the driver is: the descriptor first; then per GT (in GT order) GuC, GGTT (main
  GT only), MMIO, VRAM chunks (main GT of a tile with LMEM only); the trailer last. On restore
  the driver accepts any order and split of writes; its checks are catalogued in
  spec/rules.yaml, not here: this file describes only the shape of the bytes.
doc-ref:
  - https://github.com/torvalds/linux/blob/master/drivers/gpu/drm/xe/xe_sriov_packet_types.h
  - https://github.com/torvalds/linux/blob/master/drivers/gpu/drm/xe/xe_sriov_packet.c
  - https://github.com/torvalds/linux/blob/master/drivers/gpu/drm/xe/xe_gt_sriov_pf_migration.c
seq:
  - id: packets
    type: packet
    repeat: eos
    doc: Packets until end of stream. After the trailer the driver's read() returns 0 (EOF).
types:
  packet:
    doc: One packet, `struct xe_sriov_packet_hdr` followed by its payload.
    seq:
      - id: header
        type: packet_header
      - id: payload
        size: header.size
        doc: |
          Exactly `header.size` bytes. Types without a case here (trailer, GuC, VRAM and
          unknown types) are opaque bytes.
        type:
          switch-on: header.type
          cases:
            'packet_type::descriptor': descriptor_payload
            'packet_type::ggtt': ggtt_payload
            'packet_type::mmio': mmio_payload
  packet_header:
    doc: |
      `struct xe_sriov_packet_hdr` (__packed, 24 bytes), copied to and from user space byte
      for byte.
    doc-ref: https://github.com/torvalds/linux/blob/master/drivers/gpu/drm/xe/xe_sriov_packet_types.h
    seq:
      - id: version
        type: u1
        valid: 1
        doc: |
          Protocol version, XE_SRIOV_PACKET_SUPPORTED_VERSION = 1. Save always writes 1; restore
          fails the write() that completes a header with any other version (-EINVAL).
      - id: type
        type: u1
        enum: packet_type
        doc: Packet type. 0 is never used ("to catch uninitialized data").
      - id: tile_id
        type: u1
        doc: Tile of the GT the data belongs to (0 for descriptor and trailer).
      - id: gt_id
        type: u1
        doc: |
          GT id (gt->info.id). On BMG, PTL and WCL: 0 = primary ("main") GT, 1 = media GT,
          both on tile 0.
      - id: flags
        type: u4
        doc: Never set on save (the packet is zero-allocated), never read on restore.
      - id: offset
        type: u8
        doc: |
          Offset of this payload inside a larger resource. Only VRAM uses it (byte offset of
          the chunk inside the VF's LMEM object); 0 for every other type.
      - id: size
        type: u8
        doc: Payload length in bytes; 0 is allowed (the trailer is always 0).
  descriptor_payload:
    doc: |
      Device metadata as GuC-format KLVs. A 6.19+ save writes exactly two KLVs, DEVID then
      REVID, each one dword long (16 bytes in all), with the PCI device id and revision of the
      PF. On restore a value that differs from the destination PF fails with -ENODEV; unknown
      keys are skipped; a size that is not a multiple of 4 or a KLV running past the end
      fails (-EINVAL in 6.19, -ENODATA for truncation in newer kernels).
    doc-ref: https://github.com/torvalds/linux/blob/master/drivers/gpu/drm/xe/abi/xe_driver_klvs_abi.h
    seq:
      - id: klvs
        type: klv
        repeat: eos
  klv:
    doc: One GuC-style KLV, a header dword followed by `len` value dwords.
    doc-ref: https://github.com/torvalds/linux/blob/master/drivers/gpu/drm/xe/abi/guc_klvs_abi.h
    seq:
      - id: header
        type: klv_header
      - id: value
        size: header.len * 4
        doc: The value, `len` little-endian dwords.
  klv_header:
    doc: |
      The KLV header dword: KEY in bits 31:16 and LEN (value length in dwords) in bits 15:0,
      i.e. PREP_GUC_KLV(key, len) = key << 16 | len. Stored little-endian, so LEN is the first
      u2 and KEY the second: DEVID with length 1 is the bytes 01 00 01 F0. The dword 0 is a
      valid empty KLV (key 0, len 0).
    seq:
      - id: len
        type: u2
        doc: Value length in dwords (GUC_KLV_0_LEN, bits 15:0 of the header dword).
      - id: key
        type: u2
        enum: klv_key
        doc: Key (GUC_KLV_0_KEY, bits 31:16 of the header dword).
  ggtt_payload:
    doc: |
      The VF's GGTT page-table entries, one u64 per 4 KiB GGTT page of the VF's provisioned
      GGTT region, in increasing GGTT address order; size = region size / 4096 * 8. Bits 11:2
      of a PTE (GGTT_PTE_VFID) carry the VF id in the GGTT: save checks they hold the saving
      VF's id (-EPERM otherwise) and stores them cleared; restore writes them back with the
      destination VF's id. Bit 0 is PRESENT, bit 1 DM (local memory), bits 52/53 PAT on
      Xe_LPG+. Restore requires the size to equal the destination VF's PTE array (-EINVAL).
    doc-ref: https://github.com/torvalds/linux/blob/master/drivers/gpu/drm/xe/regs/xe_gtt_defs.h
    seq:
      - id: ptes
        type: u8
        repeat: eos
  mmio_payload:
    doc: |
      The VF scratch registers VF_SW_FLAG(0..3) (main GT, 0x190240 + 4n) or
      MED_VF_SW_FLAG(0..3) (media GT, 0x190310 + 4n), in index order: 16 bytes. Restore
      rejects any other size (-EINVAL).
    doc-ref: https://github.com/torvalds/linux/blob/master/drivers/gpu/drm/xe/regs/xe_guc_regs.h
    seq:
      - id: registers
        type: u4
        repeat: eos
enums:
  packet_type:
    1:
      id: descriptor
      doc: |
        Device metadata (KLVs). Save: tile 0, GT 0, offset 0, always the first packet. Restore
        checks it synchronously in the write() that completes it.
    2:
      id: trailer
      doc: |
        End of stream. Save: tile 0, GT 0, offset 0, size 0, always the last packet. On restore
        it marks every GT "data done"; it is mandatory (without it restore times out).
    3:
      id: ggtt
      doc: The VF's GGTT PTEs (main GT only).
    4:
      id: mmio
      doc: The VF's scratch registers, 16 bytes (every GT).
    5:
      id: guc
      doc: |
        Opaque GuC VF state blob from GUC_ACTION_PF2GUC_SAVE_RESTORE_VF (every GT). Its layout
        is undocumented; GuC >= 70.54.0 is required for migration.
    6:
      id: vram
      doc: |
        One chunk of the VF's local memory (main GT of a tile with LMEM). `offset` is the
        chunk's byte offset inside the VF's LMEM object; chunks are at most 512 MiB
        (VF_VRAM_STATE_CHUNK_MAX_SIZE) and saved in increasing offset order.
  klv_key:
    0xf001:
      id: device_id
      doc: MIGRATION_KLV_DEVICE_DEVID_KEY, PCI device id of the source PF (one dword).
    0xf002:
      id: revision_id
      doc: MIGRATION_KLV_DEVICE_REVID_KEY, PCI revision id of the source PF (one dword).
