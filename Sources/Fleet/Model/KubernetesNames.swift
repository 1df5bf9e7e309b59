/// Kubernetes' rules for object names, as the apiserver applies them, for checking a name
/// before it is sent.
public enum KubernetesNames {
    /// At most 63 lower-case alphanumerics or '-', alphanumeric at both ends.
    public static func isDNS1123Label(_ name: String) -> Bool {
        let bytes = name.utf8
        guard let first = bytes.first, let last = bytes.last, bytes.count <= 63, isAlphanumeric(first), isAlphanumeric(last) else { return false }
        return bytes.allSatisfy { isAlphanumeric($0) || $0 == UInt8(ascii: "-") }
    }

    /// At most 253 characters of DNS-1123 labels joined by '.': most kinds' names.
    public static func isDNS1123Subdomain(_ name: String) -> Bool {
        guard !name.isEmpty, name.utf8.count <= 253 else { return false }
        return name.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { isDNS1123Label(String($0)) }
    }

    /// A DNS-1123 label that starts with a letter (Service names).
    public static func isDNS1035Label(_ name: String) -> Bool {
        guard isDNS1123Label(name), let first = name.utf8.first else { return false }
        return first >= UInt8(ascii: "a") && first <= UInt8(ascii: "z")
    }

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
    }
}
