public import Foundation
import KubeBackend
import Synchronization

/// The REST semantics of the simulated Kubernetes API server: authentication,
/// discovery, and the verbs on every kind of the catalog, over an `ObjectStore`.
/// Transport-free: the HTTP server feeds it `APIRequest`s.
public final class KubeAPI: Sendable {
    public let store: ObjectStore
    /// Nil accepts every request; otherwise `Authorization: Bearer <token>` is required.
    public let token: String?
    private let discovery: Discovery
    private let aggregatedDiscovery: AggregatedDiscovery
    private let openAPI: OpenAPIDocuments
    private let serverAddress: Mutex<String>
    private let defaults = ObjectDefaults()
    private let now: @Sendable () -> Date

    /// The faults injected in front of this API; empty unless configured.
    public let faults: FaultInjector
    /// Writes, recorded once started.
    public let audit = AuditLog()
    /// The simulated cluster's clock, when there is a simulation behind this API.
    let clock: SimulationClock?
    private let quota: QuotaAdmission
    private let serviceAddresses: ServiceAddresses

    public convenience init(
        store: ObjectStore, token: String?, serverAddress: String = "127.0.0.1:6443",
        now: @escaping @Sendable () -> Date = Date.init, faults: FaultInjector = FaultInjector()
    ) {
        self.init(store: store, token: token, serverAddress: serverAddress, now: now, faults: faults, clock: nil)
    }

    init(store: ObjectStore, token: String?, serverAddress: String, now: @escaping @Sendable () -> Date, faults: FaultInjector, clock: SimulationClock?) {
        self.store = store
        self.token = token
        self.now = now
        self.faults = faults
        self.clock = clock
        self.serverAddress = Mutex(serverAddress)
        discovery = Discovery(catalog: store.catalog)
        aggregatedDiscovery = AggregatedDiscovery(catalog: store.catalog)
        openAPI = OpenAPIDocuments(catalog: store.catalog)
        quota = QuotaAdmission(store: store)
        serviceAddresses = ServiceAddresses(store: store)
    }

    /// The host:port discovery advertises; set once the listening port is known.
    public func setServerAddress(_ address: String) {
        serverAddress.withLock { $0 = address }
    }

    /// Creates the namespaces every cluster starts with.
    public func bootstrap() {
        guard let namespaces = store.catalog[ObjectStore.namespaces] else { return }
        for name in ["default", "kube-system", "kube-public", "kube-node-lease"] {
            var object: JSONValue = ["metadata": ["name": .string(name)]]
            defaults.applyOnCreate(&object, as: namespaces)
            _ = try? store.create(namespaces, namespace: nil, object)
        }
    }

    public func handle(_ request: APIRequest) -> APIResponse {
        let response: APIResponse
        do {
            response = try route(request)
        } catch {
            response = .error(error)
        }
        audit.record(request, response)
        return response
    }

    private func route(_ request: APIRequest) throws(APIError) -> APIResponse {
        if ["/healthz", "/livez", "/readyz"].contains(request.path) {
            return .full(status: 200, headers: [("Content-Type", "text/plain; charset=utf-8")], body: Array("ok".utf8))
        }
        if let token, request.headers["authorization"] != "Bearer \(token)" { throw APIError.unauthorized }
        if request.path.hasPrefix(AdminAPI.prefix) {
            return try AdminAPI(faults: faults, clock: clock).handle(request)
        }
        if let target = RequestTarget.parse(request.path, catalog: store.catalog) {
            return try serve(request, target)
        }
        if request.method == "GET", let response = try openAPI.response(for: request.path) {
            return response
        }
        if request.method == "GET", case .discovery(let version) = ResponseFormat(accept: request.headers["accept"]),
           let document = aggregatedDiscovery.document(for: request.path, version: version) {
            return .full(status: 200, headers: [("Content-Type", AggregatedDiscovery.contentType(version: version))],
                         body: KubeJSON.serialize(document))
        }
        if request.method == "GET", let document = discovery.document(for: request.path, serverAddress: serverAddress.withLock { $0 }) {
            return .json(200, document)
        }
        throw APIError(code: 404, reason: "NotFound", message: "the server could not find the requested resource",
                       details: StatusDetails(causes: [StatusCause(reason: "UnexpectedServerResponse", message: "404 page not found")]))
    }

    private func serve(_ request: APIRequest, _ target: RequestTarget) throws(APIError) -> APIResponse {
        let type = target.type
        if let subresource = target.subresource, let name = target.name {
            switch subresource {
            case "status" where type.hasStatusSubresource:
                break
            case "scale" where type.hasScaleSubresource:
                return try ScaleSubresource(store: store, type: type, namespace: target.namespace, name: name, dryRun: isDryRun(request)).handle(request)
            case "log" where type.kind == "Pod":
                guard request.method == "GET" else { throw APIError.methodNotAllowed(request.method, type) }
                return try PodLogs(pod: store.get(type, namespace: target.namespace, name: name)).response(container: request.query["container"])
            default:
                throw APIError.notFound(type, name: name)
            }
        } else if target.subresource != nil {
            throw APIError.notFound(type, name: "")
        }
        switch (request.method, target.name) {
        case ("GET", nil):
            return request.flag("watch") || target.legacyWatch ? try watch(request, target) : try list(request, target)
        case ("GET", let name?):
            let object = try store.get(type, namespace: target.namespace, name: name)
            if let tables = try tableConverter(request, target) {
                let metadata: JSONObject = ["resourceVersion": object["metadata"]?["resourceVersion"] ?? ""]
                return .table(tables, tables.table([object], metadata: metadata))
            }
            return .json(200, object)
        case ("POST", nil):
            return try create(request, target)
        case ("PUT", let name?):
            return try update(request, target, name: name)
        case ("PATCH", let name?):
            return try patch(request, target, name: name)
        case ("DELETE", let name?):
            return try delete(request, target, name: name)
        case ("DELETE", nil):
            return try deleteCollection(request, target)
        default:
            throw APIError.methodNotAllowed(request.method, type)
        }
    }

    // MARK: Reads

    private func list(_ request: APIRequest, _ target: RequestTarget) throws(APIError) -> APIResponse {
        var options = try listOptions(request, target)
        if let limit = request.query["limit"] {
            guard let value = Int(limit), value >= 0 else { throw APIError.badRequest("invalid limit: \(limit)") }
            options.limit = value
        }
        if let token = request.query["continue"], !token.isEmpty { options.continueToken = token }
        if request.query["resourceVersionMatch"] == "Exact", let version = request.query["resourceVersion"] {
            guard let exact = Int64(version) else { throw APIError.badRequest("invalid resourceVersion: \(version)") }
            options.exactResourceVersion = exact
        }
        let result = try store.list(target.type, options)
        var metadata: JSONObject = ["resourceVersion": .string(String(result.resourceVersion))]
        if let token = result.continueToken { metadata["continue"] = .string(token) }
        if let remaining = result.remainingItemCount { metadata["remainingItemCount"] = .number(JSONNumber(remaining)) }
        if let tables = try tableConverter(request, target) {
            return .table(tables, tables.table(result.items, metadata: metadata))
        }
        // Items of a list carry no kind/apiVersion in the apiserver's JSON.
        let items = result.items.map { item -> JSONValue in
            var copy = item
            copy.setField("kind", nil)
            copy.setField("apiVersion", nil)
            return copy
        }
        return .json(200, ["kind": .string(target.type.kind + "List"), "apiVersion": .string(target.type.apiVersion),
                           "metadata": .object(metadata), "items": .array(items)])
    }

    /// A converter when the client asked for a Table, as `kubectl get` does.
    private func tableConverter(_ request: APIRequest, _ target: RequestTarget) throws(APIError) -> TableConverter? {
        guard let version = ResponseFormat(accept: request.headers["accept"]).tableVersion else { return nil }
        return try TableConverter(type: target.type, version: version, includeObject: request.query["includeObject"], now: now)
    }

    private func listOptions(_ request: APIRequest, _ target: RequestTarget) throws(APIError) -> ObjectStore.ListOptions {
        var options = ObjectStore.ListOptions(namespace: target.namespace)
        if let text = request.query["labelSelector"] { options.labels = try LabelQuery(parsing: text) }
        if let text = request.query["fieldSelector"] { options.fields = try FieldQuery(parsing: text, for: target.type) }
        return options
    }

    private func watch(_ request: APIRequest, _ target: RequestTarget) throws(APIError) -> APIResponse {
        let options = try listOptions(request, target)
        var resourceVersion: Int64?
        if let text = request.query["resourceVersion"], !text.isEmpty {
            guard let value = Int64(text) else { throw APIError.badRequest("invalid resourceVersion: \(text)") }
            resourceVersion = value
        }
        let watchRequest = WatchRequest(
            type: target.type, namespace: options.namespace, labels: options.labels, fields: options.fields,
            resourceVersion: resourceVersion, allowBookmarks: request.flag("allowWatchBookmarks"),
            sendInitialEvents: request.flag("sendInitialEvents"))
        return .watch(WatchPlan(request: watchRequest, timeoutSeconds: request.query["timeoutSeconds"].flatMap { Int($0) },
                                table: try tableConverter(request, target)))
    }

    // MARK: Writes

    private func decodeBody(_ request: APIRequest) throws(APIError) -> JSONValue {
        // Kubernetes protobuf is not spoken here; JSON (or YAML) only.
        let contentType = request.headers["content-type"] ?? ""
        if contentType.contains("protobuf") || contentType.contains("cbor") {
            throw APIError.unsupportedMediaType(contentType, accepted: ["application/json", "application/yaml"])
        }
        guard let body = try? KubeJSON.parse(request.body), body.objectValue != nil else {
            throw APIError.badRequest("the object provided is unrecognized (must be of type JSON object)")
        }
        return body
    }

    /// Body kind/apiVersion must name the URL's kind; namespaces must agree.
    private func checkIdentity(_ object: JSONValue, _ target: RequestTarget) throws(APIError) {
        let type = target.type
        if let kind = object["kind"]?.stringValue, !kind.isEmpty, kind != type.kind {
            throw APIError.badRequest("the API version in the data (\(object["apiVersion"]?.stringValue ?? "")) does not match the expected API version (\(type.apiVersion))")
        }
        if let apiVersion = object["apiVersion"]?.stringValue, !apiVersion.isEmpty, apiVersion != type.apiVersion {
            throw APIError.badRequest("the API version in the data (\(apiVersion)) does not match the expected API version (\(type.apiVersion))")
        }
        if type.namespaced, let namespace = object.metadataString("namespace"), !namespace.isEmpty,
           let expected = target.namespace, namespace != expected {
            throw APIError.badRequest("the namespace of the provided object does not match the namespace sent on the request")
        }
    }

    private func validate(_ object: JSONValue, _ type: ResourceType) throws(APIError) {
        let errors = ObjectValidation.validate(object, as: type)
        if !errors.isEmpty {
            throw APIError.invalid(type, name: object.metadataString("name") ?? object.metadataString("generateName") ?? "", errors)
        }
    }

    private func isDryRun(_ request: APIRequest) -> Bool { request.query["dryRun"] == "All" }

    private func create(_ request: APIRequest, _ target: RequestTarget) throws(APIError) -> APIResponse {
        var object = try decodeBody(request)
        try checkIdentity(object, target)
        try StrictFieldValidation.check(object, as: target.type, request)
        if target.type.namespaced, target.namespace == nil {
            throw APIError.methodNotAllowed("POST", target.type)
        }
        try validate(object, target.type)
        defaults.applyOnCreate(&object, as: target.type)
        try serviceAddresses.assign(&object, as: target.type)
        object.setMetadata("resourceVersion", nil)
        if let manager = request.query["fieldManager"] {
            ManagedFields.record(manager: manager, operation: "Update", apiVersion: target.type.apiVersion,
                                 applied: object, time: Timestamp(now()).rawValue, into: &object)
        }
        if isDryRun(request) { return .json(201, object) }
        return .json(201, try admitAndCreate(target.type, namespace: target.namespace, object))
    }

    /// Admission (ResourceQuota) then the store. A generated name is chosen first, so
    /// that admission errors name the object as the apiserver's do.
    private func admitAndCreate(_ type: ResourceType, namespace: String?, _ object: JSONValue, requiringOwner owner: ObjectStore.OwnerCheck? = nil) throws(APIError) -> JSONValue {
        var object = object
        if (object.metadataString("name") ?? "").isEmpty, let prefix = object.metadataString("generateName"), !prefix.isEmpty {
            object.setMetadata("name", .string(prefix + ObjectStore.randomSuffix()))
        }
        let namespace = type.namespaced ? (namespace ?? object.metadataString("namespace") ?? "default") : nil
        return try quota.admit(object, as: type, namespace: namespace) { () throws(APIError) -> JSONValue in
            try store.create(type, namespace: namespace, object, requiringOwner: owner)
        }
    }

    /// A create by a simulated controller: defaults and admission as for a client, and
    /// refused when `owner` no longer exists.
    func createAsController(_ type: ResourceType, namespace: String?, _ object: JSONValue, owner: ObjectStore.OwnerCheck?) throws(APIError) -> JSONValue {
        var object = object
        defaults.applyOnCreate(&object, as: type)
        try serviceAddresses.assign(&object, as: type)
        return try admitAndCreate(type, namespace: namespace, object, requiringOwner: owner)
    }

    /// The verb, resource and namespace of a request, for fault matching; nil for the
    /// simulator's own admin paths, which faults never touch.
    public func attributes(of request: APIRequest) -> RequestAttributes? {
        if request.path.hasPrefix(AdminAPI.prefix) { return nil }
        guard let target = RequestTarget.parse(request.path, catalog: store.catalog) else {
            return RequestAttributes(verb: request.method.lowercased(), resource: "")
        }
        let verb: String
        switch (request.method, target.name) {
        case ("GET", nil): verb = request.flag("watch") || target.legacyWatch ? "watch" : "list"
        case ("GET", _): verb = "get"
        case ("POST", _): verb = "create"
        case ("PUT", _): verb = "update"
        case ("PATCH", _): verb = "patch"
        case ("DELETE", nil): verb = "deletecollection"
        case ("DELETE", _): verb = "delete"
        default: verb = request.method.lowercased()
        }
        return RequestAttributes(verb: verb, resource: target.type.resource, namespace: target.namespace)
    }

    private func update(_ request: APIRequest, _ target: RequestTarget, name: String) throws(APIError) -> APIResponse {
        let body = try decodeBody(request)
        try checkIdentity(body, target)
        try StrictFieldValidation.check(body, as: target.type, request)
        if let bodyName = body.metadataString("name"), bodyName != name {
            throw APIError.badRequest("the name of the object (\(bodyName)) does not match the name on the URL (\(name))")
        }
        let type = target.type
        let updated = try store.modify(type, namespace: target.namespace, name: name, dryRun: isDryRun(request)) { old throws(APIError) -> JSONValue in
            var new = body
            new.setMetadata("name", .string(name))
            if target.subresource == "status" {
                var statusOnly = old
                statusOnly.setField("status", body["status"])
                statusOnly.setMetadata("resourceVersion", body["metadata"]?["resourceVersion"])
                return statusOnly
            }
            if type.hasStatusSubresource { new.setField("status", old["status"]) }
            if new["metadata"]?["managedFields"] == nil { new.setMetadata("managedFields", old["metadata"]?["managedFields"]) }
            try serviceAddresses.keep(from: old, in: &new, as: type)
            try validate(new, type)
            return new
        }
        return .json(200, updated)
    }

    private func patch(_ request: APIRequest, _ target: RequestTarget, name: String) throws(APIError) -> APIResponse {
        let contentType = request.headers["content-type"] ?? ""
        guard let patchType = PatchType(contentType: contentType) else {
            throw APIError.unsupportedMediaType(contentType, accepted: PatchType.allCases.map(\.rawValue))
        }
        if patchType == .apply { return try apply(request, target, name: name) }
        guard let patch = try? KubeJSON.parse(request.body) else {
            throw APIError.badRequest("error decoding patch: invalid JSON")
        }
        let type = target.type
        let patched = try store.modify(type, namespace: target.namespace, name: name, dryRun: isDryRun(request)) { old throws(APIError) -> JSONValue in
            var new: JSONValue
            switch patchType {
            case .merge: new = MergePatch.apply(patch, to: old)
            case .strategicMerge: new = StrategicMergePatch.apply(patch, to: old)
            case .jsonPatch:
                do throws(JSONPatch.Failure) { new = try JSONPatch.apply(patch, to: old) } catch {
                    throw APIError(code: 422, reason: "Invalid", message: "the server rejected our request due to an error in our request: \(error.message)")
                }
            case .apply: new = old
            }
            if new.metadataString("name") != name {
                throw APIError.badRequest("the name of the object (\(new.metadataString("name") ?? "")) does not match the name on the URL (\(name))")
            }
            if target.subresource == "status" {
                var statusOnly = old
                statusOnly.setField("status", new["status"])
                return statusOnly
            }
            try StrictFieldValidation.check(new, as: type, request)
            if type.hasStatusSubresource { new.setField("status", old["status"]) }
            try serviceAddresses.keep(from: old, in: &new, as: type)
            try validate(new, type)
            return new
        }
        return .json(200, patched)
    }

    /// Server-side apply, simplified: create when absent, else a strategic merge of
    /// the applied configuration; the manager's fields are recorded in managedFields.
    private func apply(_ request: APIRequest, _ target: RequestTarget, name: String) throws(APIError) -> APIResponse {
        let type = target.type
        guard let manager = request.query["fieldManager"], !manager.isEmpty else {
            throw APIError(code: 422, reason: "Invalid", message: "PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value: is required for apply patch",
                           details: StatusDetails(group: "meta.k8s.io", kind: "PatchOptions", causes: [StatusCause(reason: "FieldValueRequired", message: "Required value: is required for apply patch", field: "fieldManager")]))
        }
        let applied: JSONValue
        do throws(YAMLDocument.Failure) { applied = try YAMLDocument.parse(request.body) } catch {
            throw APIError.badRequest(error.message)
        }
        guard applied.objectValue != nil else { throw APIError.badRequest("error decoding YAML: the applied configuration is not an object") }
        if (applied["apiVersion"]?.stringValue ?? "").isEmpty || (applied["kind"]?.stringValue ?? "").isEmpty {
            throw APIError.badRequest("apiVersion and kind must be set in an apply configuration")
        }
        try checkIdentity(applied, target)
        try StrictFieldValidation.check(applied, as: type, request)
        if let appliedName = applied.metadataString("name"), appliedName != name {
            throw APIError.badRequest("the name of the object (\(appliedName)) does not match the name on the URL (\(name))")
        }
        let time = Timestamp(now()).rawValue
        do {
            let result = try store.modify(type, namespace: target.namespace, name: name, dryRun: isDryRun(request)) { old throws(APIError) -> JSONValue in
                var new = StrategicMergePatch.apply(applied, to: old)
                if type.hasStatusSubresource, target.subresource != "status" { new.setField("status", old["status"]) }
                ManagedFields.record(manager: manager, operation: "Apply", apiVersion: type.apiVersion, applied: applied, time: time, into: &new)
                try serviceAddresses.keep(from: old, in: &new, as: type)
                try validate(new, type)
                return new
            }
            return .json(200, result)
        } catch where error.code == 404 && error.details?.name == name && error.details?.kind == type.resource {
            var object = applied
            object.setMetadata("name", .string(name))
            try validate(object, type)
            defaults.applyOnCreate(&object, as: type)
            try serviceAddresses.assign(&object, as: type)
            ManagedFields.record(manager: manager, operation: "Apply", apiVersion: type.apiVersion, applied: applied, time: time, into: &object)
            if isDryRun(request) { return .json(201, object) }
            return .json(201, try admitAndCreate(type, namespace: target.namespace, object))
        }
    }

    private func deleteOptions(_ request: APIRequest) throws(APIError) -> (ObjectStore.Propagation, uid: String?, resourceVersion: String?) {
        var policy = request.query["propagationPolicy"]
        var uid: String?, resourceVersion: String?
        if !request.body.isEmpty, let options = try? KubeJSON.parse(request.body) {
            policy = options["propagationPolicy"]?.stringValue ?? policy
            if options["orphanDependents"] == true { policy = "Orphan" }
            uid = options["preconditions"]?["uid"]?.stringValue
            resourceVersion = options["preconditions"]?["resourceVersion"]?.stringValue
        }
        guard let propagation = ObjectStore.Propagation(rawValue: policy ?? "Background") else {
            throw APIError(code: 422, reason: "Invalid", message: "DeleteOptions.meta.k8s.io \"\" is invalid: propagationPolicy: Unsupported value: \"\(policy ?? "")\": supported values: \"Foreground\", \"Background\", \"Orphan\"")
        }
        return (propagation, uid, resourceVersion)
    }

    private func delete(_ request: APIRequest, _ target: RequestTarget, name: String) throws(APIError) -> APIResponse {
        let options = try deleteOptions(request)
        let type = target.type
        if isDryRun(request) { return .json(200, try store.get(type, namespace: target.namespace, name: name)) }
        var deleted = try store.delete(type, namespace: target.namespace, name: name, propagation: options.0,
                                       preconditionUID: options.uid, preconditionResourceVersion: options.resourceVersion)
        // Pods are deleted gracefully and answer with the object; other kinds with a Status.
        if type.kind == "Pod" {
            deleted.setMetadata("deletionTimestamp", .string(Timestamp(now()).rawValue))
            deleted.setMetadata("deletionGracePeriodSeconds", 0)
            return .json(200, deleted)
        }
        var details: JSONObject = ["name": .string(name)]
        if !type.group.isEmpty { details["group"] = .string(type.group) }
        details["kind"] = .string(type.resource)
        details["uid"] = deleted["metadata"]?["uid"] ?? .null
        return .json(200, ["kind": "Status", "apiVersion": "v1", "metadata": .object([:]), "status": "Success", "details": .object(details)])
    }

    private func deleteCollection(_ request: APIRequest, _ target: RequestTarget) throws(APIError) -> APIResponse {
        let options = try deleteOptions(request)
        let matching = try store.list(target.type, try listOptions(request, target))
        var deleted: [JSONValue] = []
        for item in matching.items {
            guard let name = item.metadataString("name") else { continue }
            if let object = try? store.delete(target.type, namespace: item.metadataString("namespace"), name: name, propagation: options.0) {
                deleted.append(object)
            }
        }
        return .json(200, ["kind": .string(target.type.kind + "List"), "apiVersion": .string(target.type.apiVersion),
                           "metadata": ["resourceVersion": .string(String(store.currentResourceVersion))], "items": .array(deleted)])
    }
}
