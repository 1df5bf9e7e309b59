public import KubeBackend

/// An error the simulated API server answers with: an HTTP code plus the
/// `metav1.Status` body the real apiserver sends for the same case.
public struct APIError: Error, Sendable, Hashable, CustomStringConvertible {
    public var code: Int
    public var reason: String
    public var message: String
    public var details: StatusDetails?
    /// Seconds for a Retry-After header (429, some 5xx).
    public var retryAfterSeconds: Int?

    public init(code: Int, reason: String, message: String, details: StatusDetails? = nil, retryAfterSeconds: Int? = nil) {
        self.code = code
        self.reason = reason
        self.message = message
        self.details = details
        self.retryAfterSeconds = retryAfterSeconds
    }

    public var description: String { "\(code) \(reason): \(message)" }

    /// The Status object in the apiserver's field order.
    public var statusJSON: JSONValue {
        var object: JSONObject = ["kind": "Status", "apiVersion": "v1", "metadata": .object([:]), "status": "Failure",
                                  "message": .string(message), "reason": .string(reason)]
        if let details, let encoded = try? KubeJSON.encodeToValue(details), encoded.objectValue?.isEmpty == false {
            object["details"] = encoded
        }
        object["code"] = .number(JSONNumber(code))
        return .object(object)
    }

    // MARK: The apiserver's errors

    static func details(_ type: ResourceType, name: String?, kindField: String? = nil) -> StatusDetails {
        StatusDetails(name: name, group: type.group.isEmpty ? nil : type.group, kind: kindField ?? type.resource)
    }

    public static func notFound(_ type: ResourceType, name: String) -> APIError {
        APIError(code: 404, reason: "NotFound", message: "\(type.qualifiedResource) \"\(name)\" not found",
                 details: details(type, name: name))
    }

    public static func alreadyExists(_ type: ResourceType, name: String) -> APIError {
        APIError(code: 409, reason: "AlreadyExists", message: "\(type.qualifiedResource) \"\(name)\" already exists",
                 details: details(type, name: name))
    }

    public static func conflict(_ type: ResourceType, name: String) -> APIError {
        APIError(code: 409, reason: "Conflict",
                 message: "Operation cannot be fulfilled on \(type.qualifiedResource) \"\(name)\": the object has been modified; please apply your changes to the latest version and try again",
                 details: details(type, name: name))
    }

    /// 422 with one cause per field error, worded as the apiserver's field.ErrorList.
    public static func invalid(_ type: ResourceType, name: String, _ errors: [FieldError]) -> APIError {
        let summary = errors.count == 1 ? errors[0].description : "[" + errors.map(\.description).joined(separator: ", ") + "]"
        var details = details(type, name: name, kindField: type.kind)
        details.causes = errors.map { StatusCause(reason: $0.type.reason, message: $0.causeMessage, field: $0.field) }
        return APIError(code: 422, reason: "Invalid", message: "\(type.kind) \"\(name)\" is invalid: \(summary)", details: details)
    }

    public static func badRequest(_ message: String) -> APIError {
        APIError(code: 400, reason: "BadRequest", message: message)
    }

    public static let unauthorized = APIError(code: 401, reason: "Unauthorized", message: "Unauthorized")

    public static func forbidden(_ message: String, details: StatusDetails? = nil) -> APIError {
        APIError(code: 403, reason: "Forbidden", message: message, details: details)
    }

    public static func methodNotAllowed(_ verb: String, _ type: ResourceType) -> APIError {
        APIError(code: 405, reason: "MethodNotAllowed", message: "the server does not allow this method on the requested resource",
                 details: details(type, name: nil))
    }

    public static func unsupportedMediaType(_ contentType: String, accepted: [String]) -> APIError {
        APIError(code: 415, reason: "UnsupportedMediaType",
                 message: "the body of the request was in an unknown format - accepted media types include: " + accepted.joined(separator: ", "),
                 details: StatusDetails(causes: [StatusCause(reason: "UnexpectedServerResponse", message: contentType)]))
    }

    /// A watch from a compacted resourceVersion.
    public static func tooOldResourceVersion(requested: Int64, oldest: Int64) -> APIError {
        APIError(code: 410, reason: "Expired", message: "too old resource version: \(requested) (\(oldest))")
    }

    /// A continue token from before the compaction window.
    public static let expiredContinue = APIError(
        code: 410, reason: "Expired",
        message: "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue value from the response to get a consistent list.")

    public static func tooManyRequests(retryAfter seconds: Int) -> APIError {
        APIError(code: 429, reason: "TooManyRequests", message: "Too many requests, please try again later.",
                 details: StatusDetails(retryAfterSeconds: Int32(seconds)), retryAfterSeconds: seconds)
    }

    public static func internalError(_ message: String) -> APIError {
        APIError(code: 500, reason: "InternalError", message: "Internal error occurred: \(message)")
    }
}

/// One entry of a validation failure, as Kubernetes' `field.Error`.
public struct FieldError: Sendable, Hashable, CustomStringConvertible {
    public enum ErrorType: Sendable, Hashable {
        case required, invalid(JSONValue), notSupported(JSONValue, [String]), duplicate(JSONValue), forbidden
        /// An invalid value printed as Go prints it (`[]string{"a"}`), where it is no JSON scalar.
        case invalidText(String)

        var reason: String {
            switch self {
            case .required: return "FieldValueRequired"
            case .invalid, .invalidText: return "FieldValueInvalid"
            case .notSupported: return "FieldValueNotSupported"
            case .duplicate: return "FieldValueDuplicate"
            case .forbidden: return "FieldValueForbidden"
            }
        }
    }

    public var field: String
    public var type: ErrorType
    public var detail: String

    public init(_ field: String, _ type: ErrorType, _ detail: String = "") {
        self.field = field
        self.type = type
        self.detail = detail
    }

    /// The text after "field: " in messages and in the cause.
    var causeMessage: String {
        var text: String
        switch type {
        case .required: text = "Required value"
        case .invalid(let value): text = "Invalid value: \(value)"
        case .invalidText(let value): text = "Invalid value: \(value)"
        case .notSupported(let value, let supported):
            text = "Unsupported value: \(value): supported values: " + supported.map { "\"\($0)\"" }.joined(separator: ", ")
            return text
        case .duplicate(let value): text = "Duplicate value: \(value)"
        case .forbidden: text = "Forbidden"
        }
        if !detail.isEmpty { text += ": " + detail }
        return text
    }

    public var description: String { "\(field): \(causeMessage)" }
}
