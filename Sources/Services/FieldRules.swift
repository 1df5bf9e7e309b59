import Fleet

/// The syntax rules request fields follow, each returning why a value breaks it.
enum FieldRules {
    /// A DNS-1123 label, as Kubernetes names namespaces and most objects.
    static func dnsLabel(_ value: String) -> String? {
        if value.isEmpty { return "must not be empty" }
        if value.utf8.count > 63 { return "must be at most 63 characters, is \(value.utf8.count)" }
        if !KubernetesNames.isDNS1123Label(value) {
            return "\"\(value)\" is not a DNS-1123 label: lower-case letters, digits and '-', starting and ending with a letter or digit"
        }
        return nil
    }

    /// Whether the value has whitespace, Unicode's and not only ASCII's, as `Character.isWhitespace`
    /// says; ASCII text, which image references are, is checked byte by byte.
    static func containsWhitespace(_ value: String) -> Bool {
        for byte in value.utf8 {
            if byte >= 0x80 { return value.unicodeScalars.contains { $0.properties.isWhitespace } }
            if byte == 0x20 || (0x09...0x0D).contains(byte) { return true }
        }
        return false
    }

    /// A Kubernetes label key: an optional DNS-1123 subdomain prefix and '/', then a name.
    static func labelKey(_ key: String) -> String? {
        let parts = key.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count <= 2, let name = parts.last else { return "\"\(key)\" is not a label key" }
        if parts.count == 2 {
            let prefix = parts[0]
            if !KubernetesNames.isDNS1123Subdomain(String(prefix)) {
                return "\"\(key)\" has an invalid prefix: it must be a DNS-1123 subdomain"
            }
        }
        return labelValue(String(name)).map { _ in "\"\(key)\" is not a label key: the name must be 1-63 alphanumerics, '-', '_' or '.', starting and ending with an alphanumeric" }
            ?? (name.isEmpty ? "\"\(key)\" is not a label key: the name is empty" : nil)
    }

    /// A Kubernetes label value: empty, or up to 63 alphanumerics, '-', '_', '.', alphanumeric at both ends.
    static func labelValue(_ value: String) -> String? {
        if value.isEmpty { return nil }
        let bytes = value.utf8
        let alphanumeric: (UInt8) -> Bool = { ($0 >= 97 && $0 <= 122) || ($0 >= 65 && $0 <= 90) || ($0 >= 48 && $0 <= 57) }
        let valid = bytes.count <= 63 && alphanumeric(bytes.first!) && alphanumeric(bytes.last!)
            && bytes.allSatisfy { alphanumeric($0) || $0 == 45 || $0 == 95 || $0 == 46 }
        return valid ? nil : "\"\(value)\" is not a valid label value"
    }

    /// A standard 5-field cron schedule (minute hour day-of-month month day-of-week),
    /// with `*`, lists, ranges and steps, or one of the @ macros Kubernetes accepts.
    static func cronSchedule(_ schedule: String) -> String? {
        let macros: Set<String> = ["@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"]
        if macros.contains(schedule) { return nil }
        let fields = schedule.split(separator: " ", omittingEmptySubsequences: true)
        guard fields.count == 5 else { return "\"\(schedule)\" is not a 5-field cron schedule" }
        let ranges = [0...59, 0...23, 1...31, 1...12, 0...7]
        let names = ["minute", "hour", "day of month", "month", "day of week"]
        for (index, field) in fields.enumerated() {
            if !cronFieldIsValid(String(field), range: ranges[index]) {
                return "\"\(schedule)\": the \(names[index]) field \"\(field)\" is invalid (allowed \(ranges[index].lowerBound)-\(ranges[index].upperBound))"
            }
        }
        return nil
    }

    private static func cronFieldIsValid(_ field: String, range: ClosedRange<Int>) -> Bool {
        field.split(separator: ",", omittingEmptySubsequences: false).allSatisfy { item in
            let stepParts = item.split(separator: "/", omittingEmptySubsequences: false)
            guard stepParts.count <= 2 else { return false }
            if stepParts.count == 2 { guard let step = Int(stepParts[1]), step > 0 else { return false } }
            let base = stepParts[0]
            if base == "*" { return true }
            let bounds = base.split(separator: "-", omittingEmptySubsequences: false).map { Int($0) }
            guard (1...2).contains(bounds.count), bounds.allSatisfy({ $0.map(range.contains) ?? false }) else { return false }
            return bounds.count == 1 || bounds[0]! <= bounds[1]!
        }
    }

    /// An environment variable name as Kubernetes accepts it.
    static func environmentName(_ name: String) -> String? {
        guard let first = name.utf8.first, !(first >= 48 && first <= 57) else { return "\"\(name)\" is not a valid environment variable name" }
        let valid = name.utf8.allSatisfy { ($0 >= 97 && $0 <= 122) || ($0 >= 65 && $0 <= 90) || ($0 >= 48 && $0 <= 57) || $0 == 95 || $0 == 45 || $0 == 46 }
        return valid ? nil : "\"\(name)\" is not a valid environment variable name"
    }
}
