import Fleet
import Protos
import RPCServer

/// Fleet errors as gRPC statuses whose google.rpc.Status details say what to fix.
enum FleetErrorStatus {
    static func rpcError(for error: FleetError) -> RPCError {
        switch error {
        case .invalidArgument(let violations):
            var badRequest = Google_Rpc_BadRequest()
            badRequest.fieldViolations = violations.map { violation in
                var entry = Google_Rpc_BadRequest.FieldViolation()
                entry.field = violation.field
                entry.description = violation.description
                return entry
            }
            let summary = violations.map { "\($0.field) \($0.description)" }.joined(separator: "; ")
            return make(.invalidArgument, "invalid request: \(summary)", detail: badRequest)
        case .notFound(let type, let name):
            var info = Google_Rpc_ResourceInfo()
            info.resourceType = type
            info.resourceName = name
            info.description = "no \(type) named \"\(name)\""
            return make(.notFound, "\(type) \"\(name)\" not found", detail: info)
        case .alreadyExists(let type, let name, let detail):
            var info = Google_Rpc_ResourceInfo()
            info.resourceType = type
            info.resourceName = name
            info.description = detail
            return make(.alreadyExists, detail, detail: info)
        case .failedPrecondition(let why):
            return make(.failedPrecondition, why, detail: nil as Google_Rpc_ResourceInfo?)
        case .quotaExceeded(let violations):
            var failure = Google_Rpc_QuotaFailure()
            failure.violations = violations.map { violation in
                var entry = Google_Rpc_QuotaFailure.Violation()
                entry.subject = violation.subject
                entry.description = violation.description
                return entry
            }
            return make(.resourceExhausted, "quota exceeded: " + violations.map(\.description).joined(separator: "; "), detail: failure)
        case .unavailable(let why):
            return make(.unavailable, why, detail: nil as Google_Rpc_ResourceInfo?)
        }
    }

    private static func make<Detail: ProtoMessage>(_ code: RPCStatusCode, _ message: String, detail: Detail?) -> RPCError {
        var status = Google_Rpc_Status()
        status.code = Int32(code.rawValue)
        status.message = message
        if let detail, let packed = try? Google_Protobuf_Any(packing: detail) {
            status.details = [packed]
        }
        return RPCError(code, message, details: try? status.serializedBytes())
    }
}
