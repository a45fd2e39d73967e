internal import COneDNN

/// Process-wide allocator setting for training loops.
public enum TrainingMemory {
    /// Asks glibc to keep freed blocks for reuse instead of giving them back to the system.
    /// A training step allocates and frees the same multi-megabyte activations every step; by
    /// default glibc maps each anew and the kernel zeroes every page on first touch (measured:
    /// a few per cent of a DCGAN step and 8 % of generator throughput). The price is that the
    /// heap keeps its high-water mark, which a training process reaches every step anyway.
    public static func keepFreedBuffers() {
        _ = setting
    }

    private static let setting: Void = {
        // 32 MB is the largest threshold glibc accepts on 64-bit systems.
        mallopt(M_MMAP_THRESHOLD, 32 << 20)
        mallopt(M_TRIM_THRESHOLD, Int32.max)
    }()
}
