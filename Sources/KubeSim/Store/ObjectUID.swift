/// Random (version 4) UUIDs in the lower-case form Kubernetes gives `metadata.uid`.
///
/// Drawn from the system generator directly: Foundation's `UUID()` opened /dev/urandom for
/// each one here, a system call per object the simulator creates.
enum ObjectUID {
    static func make() -> String {
        var generator = SystemRandomNumberGenerator()
        var bytes = (generator.next() as UInt64, generator.next() as UInt64)
        bytes.0 = (bytes.0 & ~(0xF << 12)) | (0x4 << 12)  // version 4, in the 7th byte
        bytes.1 = (bytes.1 & ~(0xC0 << 56)) | (0x80 << 56)  // RFC 4122 variant, in the 9th byte
        return withUnsafeBytes(of: (bytes.0.bigEndian, bytes.1.bigEndian)) { raw in
            var text = ""
            text.reserveCapacity(36)
            for (index, byte) in raw.enumerated() {
                if index == 4 || index == 6 || index == 8 || index == 10 { text.append("-") }
                text.append(Self.hex[Int(byte >> 4)])
                text.append(Self.hex[Int(byte & 0xF)])
            }
            return text
        }
    }

    /// A container runtime's id: 64 lower-case hex digits, as containerd reports them.
    static func containerID() -> String {
        var generator = SystemRandomNumberGenerator()
        var text = ""
        text.reserveCapacity(64)
        for _ in 0..<4 {
            let word: UInt64 = generator.next()
            for shift in stride(from: 60, through: 0, by: -4) { text.append(Self.hex[Int((word >> UInt64(shift)) & 0xF)]) }
        }
        return text
    }

    private static let hex: [Character] = Array("0123456789abcdef")
}
