/// Kubernetes-style quantities on the command line and in tables: CPU as `500m` or `2`,
/// memory as `4Gi`, `512Mi` or `1G`, converted to the proto's integers and back.
enum Quantities {
    struct Invalid: Error, CustomStringConvertible {
        let description: String
    }

    private static let binarySuffixes: [(String, Int64)] = [("Ki", 1 << 10), ("Mi", 1 << 20), ("Gi", 1 << 30), ("Ti", 1 << 40), ("Pi", 1 << 50)]
    private static let decimalSuffixes: [(String, Int64)] = [("k", 1_000), ("M", 1_000_000), ("G", 1_000_000_000), ("T", 1_000_000_000_000)]

    /// CPU in millicores: `500m` → 500, `2` → 2000, `0.5` → 500.
    static func cpuMillis(_ text: String) throws(Invalid) -> Int64 {
        if text.hasSuffix("m") {
            guard let millis = Int64(text.dropLast()), millis > 0 else {
                throw Invalid(description: "invalid CPU amount \"\(text)\" (try 500m or 2)")
            }
            return millis
        }
        guard let millis = scaled(text, by: 1000), millis > 0 else {
            throw Invalid(description: "invalid CPU amount \"\(text)\" (try 500m or 2)")
        }
        return millis
    }

    /// Bytes: `4Gi`, `512Mi`, `1G`, `1.5Gi`, or a plain number of bytes.
    static func bytes(_ text: String) throws(Invalid) -> Int64 {
        for (suffix, factor) in binarySuffixes + decimalSuffixes where text.hasSuffix(suffix) {
            if let value = scaled(String(text.dropLast(suffix.count)), by: factor), value > 0 { return value }
            throw Invalid(description: "invalid memory amount \"\(text)\" (try 4Gi or 512Mi)")
        }
        guard let value = Int64(text), value > 0 else {
            throw Invalid(description: "invalid memory amount \"\(text)\" (try 4Gi or 512Mi)")
        }
        return value
    }

    /// `TYPE=COUNT`, e.g. `nvidia-tesla-a100=2`; a bare type means one device.
    static func accelerator(_ text: String) throws(Invalid) -> (type: String, count: Int32) {
        let parts = text.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        guard let type = parts.first, !type.isEmpty else {
            throw Invalid(description: "invalid accelerator \"\(text)\" (try nvidia-tesla-a100=2)")
        }
        guard parts.count == 2 else { return (type, 1) }
        guard let count = Int32(parts[1]), count > 0 else {
            throw Invalid(description: "invalid accelerator count in \"\(text)\" (try nvidia-tesla-a100=2)")
        }
        return (type, count)
    }

    /// A decimal number such as `1.5` times `factor`, exactly; nil when it is not one or not whole.
    private static func scaled(_ text: String, by factor: Int64) -> Int64? {
        let parts = text.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard let wholeText = parts.first, !wholeText.isEmpty || parts.count == 2,
              let whole = wholeText.isEmpty ? 0 : Int64(wholeText), whole >= 0 else { return nil }
        var (value, overflow) = whole.multipliedReportingOverflow(by: factor)
        guard !overflow else { return nil }
        if parts.count == 2 {
            let fraction = parts[1]
            guard !fraction.isEmpty, fraction.count <= 9, fraction.allSatisfy(\.isASCII), let digits = Int64(fraction) else { return nil }
            var denominator: Int64 = 1
            for _ in 0..<fraction.count { denominator *= 10 }
            let (scaledFraction, fractionOverflow) = digits.multipliedReportingOverflow(by: factor)
            guard !fractionOverflow, scaledFraction % denominator == 0 else { return nil }
            (value, overflow) = value.addingReportingOverflow(scaledFraction / denominator)
            guard !overflow else { return nil }
        }
        return value
    }

    // MARK: display

    /// `2` for whole cores, `1500m` otherwise.
    static func formatCPU(millis: Int64) -> String {
        millis % 1000 == 0 ? "\(millis / 1000)" : "\(millis)m"
    }

    /// The largest binary unit with at least 1 of it, to one decimal: `4Gi`, `1.5Ti`, `512Mi`.
    static func formatBytes(_ bytes: Int64) -> String {
        guard bytes >= 1024 || bytes <= -1024 else { return "\(bytes)" }
        var unit = binarySuffixes[0]
        for candidate in binarySuffixes where abs(bytes) >= candidate.1 { unit = candidate }
        let tenths = (bytes * 10 + unit.1 / 2) / unit.1
        return tenths % 10 == 0 ? "\(tenths / 10)\(unit.0)" : "\(tenths / 10).\(abs(tenths % 10))\(unit.0)"
    }
}

/// Durations on the command line: `500ms`, `10s`, `5m`, `2h`, `1h30m`.
enum Durations {
    static func parse(_ text: String) -> Duration? {
        var total = Duration.zero
        var digits = ""
        var unit = ""
        var sawAny = false
        func flush() -> Bool {
            guard let n = Int64(digits) else { return false }
            switch unit {
            case "ms": total += .milliseconds(n)
            case "s": total += .seconds(n)
            case "m": total += .seconds(n * 60)
            case "h": total += .seconds(n * 3600)
            default: return false
            }
            digits = ""
            unit = ""
            sawAny = true
            return true
        }
        for c in text {
            if c.isASCII && c.isNumber {
                if !unit.isEmpty { guard flush() else { return nil } }
                digits.append(c)
            } else {
                guard !digits.isEmpty else { return nil }
                unit.append(c)
            }
        }
        guard flush(), sawAny else { return nil }
        return total
    }

    static func format(_ duration: Duration) -> String {
        let seconds = duration.components.seconds
        if seconds >= 3600 { return "\(seconds / 3600)h" + (seconds % 3600 >= 60 ? "\(seconds % 3600 / 60)m" : "") }
        if seconds >= 60 { return "\(seconds / 60)m" + (seconds % 60 > 0 ? "\(seconds % 60)s" : "") }
        return "\(seconds)s"
    }
}
