public import KubeBackend

/// A parsed `labelSelector` query parameter: `a=b,c!=d,e in (f,g),h notin (i),j,!k`.
public struct LabelQuery: Sendable, Hashable {
    public enum Requirement: Sendable, Hashable {
        case equals(String, String)
        case notEquals(String, String)
        case `in`(String, Set<String>)
        case notIn(String, Set<String>)
        case exists(String)
        case doesNotExist(String)

        func matches(_ labels: [String: String]) -> Bool {
            matches { labels[$0] }
        }

        func matches(label: (String) -> String?) -> Bool {
            switch self {
            case .equals(let key, let value): return label(key) == value
            case .notEquals(let key, let value): return label(key) != value
            case .in(let key, let values): return label(key).map(values.contains) ?? false
            case .notIn(let key, let values): return label(key).map { !values.contains($0) } ?? true
            case .exists(let key): return label(key) != nil
            case .doesNotExist(let key): return label(key) == nil
            }
        }
    }

    public let requirements: [Requirement]

    public static let everything = LabelQuery(requirements: [])

    public init(requirements: [Requirement]) {
        self.requirements = requirements
    }

    public var isEverything: Bool { requirements.isEmpty }

    public func matches(_ labels: [String: String]) -> Bool {
        requirements.allSatisfy { $0.matches(labels) }
    }

    /// Matches the labels of an object kept as JSON, reading them in place: every watch
    /// and list checks every object it passes, most often against no requirement at all.
    func matches(labelsOf object: JSONValue) -> Bool {
        guard !requirements.isEmpty else { return true }
        let labels = object["metadata"]?["labels"]?.objectValue ?? [:]
        return requirements.allSatisfy { requirement in requirement.matches { labels[$0]?.stringValue } }
    }

    /// Throws 400 BadRequest for text the apiserver would reject.
    public init(parsing text: String) throws(APIError) {
        var requirements: [Requirement] = []
        for clause in Self.splitTopLevel(text) {
            let trimmed = clause.trimmingSpaces
            if trimmed.isEmpty { continue }
            requirements.append(try Self.parseRequirement(trimmed, in: text))
        }
        self.requirements = requirements
    }

    /// Splits on commas outside parentheses.
    private static func splitTopLevel(_ text: String) -> [Substring] {
        var parts: [Substring] = []
        var depth = 0
        var start = text.startIndex
        for index in text.indices {
            switch text[index] {
            case "(": depth += 1
            case ")": depth -= 1
            case "," where depth == 0:
                parts.append(text[start..<index])
                start = text.index(after: index)
            default: break
            }
        }
        parts.append(text[start...])
        return parts
    }

    private static func parseRequirement(_ clause: Substring, in text: String) throws(APIError) -> Requirement {
        func fail(_ why: String) -> APIError {
            APIError.badRequest("unable to parse requirement: \(why) in selector \"\(text)\"")
        }
        func key(_ raw: Substring) throws(APIError) -> String {
            let key = String(raw.trimmingSpaces)
            guard LabelQuery.isValidKey(key) else { throw fail("invalid label key \"\(key)\"") }
            return key
        }
        func value(_ raw: Substring) throws(APIError) -> String {
            let value = String(raw.trimmingSpaces)
            guard LabelQuery.isValidValue(value) else { throw fail("invalid label value: \"\(value)\"") }
            return value
        }
        func set(_ raw: Substring) throws(APIError) -> Set<String> {
            let body = raw.trimmingSpaces
            guard body.first == "(", body.last == ")" else { throw fail("expected a parenthesized set of values") }
            var values = Set<String>()
            for item in body.dropFirst().dropLast().split(separator: ",", omittingEmptySubsequences: false) {
                values.insert(try value(item))
            }
            return values
        }

        if clause.first == "!" { return .doesNotExist(try key(clause.dropFirst())) }
        if let range = clause.range(of: "!=") {
            return .notEquals(try key(clause[..<range.lowerBound]), try value(clause[range.upperBound...]))
        }
        if let range = clause.range(of: "==") {
            return .equals(try key(clause[..<range.lowerBound]), try value(clause[range.upperBound...]))
        }
        if let range = clause.range(of: "=") {
            return .equals(try key(clause[..<range.lowerBound]), try value(clause[range.upperBound...]))
        }
        if let range = clause.range(of: " notin ") ?? clause.range(of: " notin(") {
            return .notIn(try key(clause[..<range.lowerBound]), try set(clause[clause.index(range.lowerBound, offsetBy: 6)...]))
        }
        if let range = clause.range(of: " in ") ?? clause.range(of: " in(") {
            return .in(try key(clause[..<range.lowerBound]), try set(clause[clause.index(range.lowerBound, offsetBy: 3)...]))
        }
        return .exists(try key(clause))
    }

    /// `[prefix/]name`: prefix a DNS-1123 subdomain, name a qualified name of at most 63 characters.
    static func isValidKey(_ key: String) -> Bool {
        let parts = key.split(separator: "/", omittingEmptySubsequences: false)
        switch parts.count {
        case 1: return isQualifiedName(parts[0])
        case 2: return KubernetesNames.isDNS1123Subdomain(String(parts[0])) && isQualifiedName(parts[1])
        default: return false
        }
    }

    static func isValidValue(_ value: String) -> Bool {
        value.isEmpty || isQualifiedName(Substring(value))
    }

    private static func isQualifiedName(_ name: Substring) -> Bool {
        // Every character allowed is ASCII, so a name that passes has as many bytes as
        // characters, and any other byte fails it.
        let bytes = name.utf8
        guard let first = bytes.first, let last = bytes.last, bytes.count <= 63,
              isASCIIAlphanumeric(first), isASCIIAlphanumeric(last)
        else { return false }
        return bytes.allSatisfy { isASCIIAlphanumeric($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".") }
    }

    private static func isASCIIAlphanumeric(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
            || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
    }
}

/// A parsed `fieldSelector`: `metadata.name=x,status.phase!=Running`.
public struct FieldQuery: Sendable, Hashable {
    public struct Requirement: Sendable, Hashable {
        public let field: String
        public let value: String
        public let negated: Bool
    }

    public let requirements: [Requirement]

    public static let everything = FieldQuery(requirements: [])

    public init(requirements: [Requirement]) {
        self.requirements = requirements
    }

    public var isEverything: Bool { requirements.isEmpty }

    /// Throws 400 for bad syntax or a field label the kind does not support.
    public init(parsing text: String, for type: ResourceType) throws(APIError) {
        var requirements: [Requirement] = []
        for clause in text.split(separator: ",") {
            let term = clause.trimmingSpaces
            let field: Substring, value: Substring, negated: Bool
            if let range = term.range(of: "!=") {
                (field, value, negated) = (term[..<range.lowerBound], term[range.upperBound...], true)
            } else if let range = term.range(of: "==") {
                (field, value, negated) = (term[..<range.lowerBound], term[range.upperBound...], false)
            } else if let range = term.range(of: "=") {
                (field, value, negated) = (term[..<range.lowerBound], term[range.upperBound...], false)
            } else {
                throw APIError.badRequest("invalid field selector: \(text)")
            }
            let label = String(field.trimmingSpaces)
            guard label == "metadata.name" || label == "metadata.namespace" || type.extraFieldLabels.contains(label) else {
                throw APIError.badRequest("field label not supported: \(label)")
            }
            requirements.append(Requirement(field: label, value: String(value.trimmingSpaces), negated: negated))
        }
        self.requirements = requirements
    }

    /// A missing field reads as "", as the apiserver's field sets do.
    public func matches(_ object: JSONValue) -> Bool {
        requirements.allSatisfy { requirement in
            var current: JSONValue? = object
            for component in requirement.field.split(separator: ".") { current = current?[String(component)] }
            let actual: String
            switch current {
            case .string(let text): actual = text
            case .bool(let flag): actual = flag ? "true" : "false"
            case .number(let number): actual = number.text
            default: actual = ""
            }
            return (actual == requirement.value) != requirement.negated
        }
    }
}

extension StringProtocol {
    var trimmingSpaces: Substring {
        // On UTF-8 bytes: a space is one byte, so the bounds stay valid string indices.
        let text = Substring(self)
        let bytes = text.utf8
        var start = bytes.startIndex, end = bytes.endIndex
        while start < end && bytes[start] == UInt8(ascii: " ") { start = bytes.index(after: start) }
        while end > start && bytes[bytes.index(before: end)] == UInt8(ascii: " ") { end = bytes.index(before: end) }
        return text[start..<end]
    }
}

