import Protos
import RPCClient

/// A failed call as a person reads it: the status, then whatever the google.rpc details say
/// (every field violation, quota violation and missing resource).
enum ErrorReport {
    static func describe(_ error: RPCClientError) -> String {
        var lines = ["Error: \(error.code)" + (error.message.isEmpty ? "" : ": \(error.message)")]
        guard let bytes = error.details, let status = try? Google_Rpc_Status(serializedBytes: bytes) else {
            return lines.joined(separator: "\n")
        }
        if error.message.isEmpty && !status.message.isEmpty { lines[0] += ": \(status.message)" }
        for detail in status.details {
            if let badRequest = try? detail.unpack(Google_Rpc_BadRequest.self) {
                for violation in badRequest.fieldViolations {
                    lines.append("  \(violation.field): \(violation.description)")
                }
            } else if let quota = try? detail.unpack(Google_Rpc_QuotaFailure.self) {
                for violation in quota.violations {
                    lines.append("  quota \(violation.subject): \(violation.description)")
                }
            } else if let resource = try? detail.unpack(Google_Rpc_ResourceInfo.self) {
                var line = "  \(resource.resourceType) \"\(resource.resourceName)\""
                if !resource.owner.isEmpty { line += " (owner \(resource.owner))" }
                if !resource.description.isEmpty { line += ": \(resource.description)" }
                lines.append(line)
            } else if let precondition = try? detail.unpack(Google_Rpc_PreconditionFailure.self) {
                for violation in precondition.violations {
                    lines.append("  \(violation.type) \(violation.subject): \(violation.description)")
                }
            } else if let info = try? detail.unpack(Google_Rpc_ErrorInfo.self) {
                lines.append("  reason \(info.reason)" + (info.domain.isEmpty ? "" : " (\(info.domain))"))
            } else {
                lines.append("  (detail \(detail.messageName))")
            }
        }
        return lines.joined(separator: "\n")
    }
}
