/// Why the fleet refused a request, in terms a caller can act on. The API layer maps
/// each case to a gRPC status with google.rpc details.
public enum FleetError: Error, Hashable, Sendable {
    public struct FieldViolation: Hashable, Sendable {
        /// The request field, as its proto path, e.g. `resources.cpu_millis`.
        public var field: String
        public var description: String

        public init(field: String, description: String) {
            self.field = field
            self.description = description
        }
    }

    public struct QuotaViolation: Hashable, Sendable {
        /// What is over quota, e.g. `team:ml-research`.
        public var subject: String
        public var description: String

        public init(subject: String, description: String) {
            self.subject = subject
            self.description = description
        }
    }

    case invalidArgument([FieldViolation])
    /// `resourceType` is e.g. `fleet.v1.Deployment`.
    case notFound(resourceType: String, name: String)
    /// A live object already has this name.
    case alreadyExists(resourceType: String, name: String, detail: String)
    case failedPrecondition(String)
    case quotaExceeded([QuotaViolation])
    /// A cluster could not be written; nothing was left half-written.
    case unavailable(String)
}
