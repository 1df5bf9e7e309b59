/// A typed client for one cluster's API server: get, list, create, update, delete,
/// patch, server-side apply and watch for every `KubernetesObject` kind.
///
/// Every call has a deadline (the options' `timeout`, else the configuration's
/// `requestTimeout`) that covers its retries; cancelling the calling task aborts
/// the transfer in flight. Requests share the cluster's rate limit. Errors are
/// `KubeClientError`.
///
/// Namespaces: for a namespaced kind, a single-object call with no namespace uses
/// the object's own namespace, then the connection's (as kubectl does); a list or
/// watch with no namespace spans all namespaces. Cluster-scoped kinds ignore it.
public final class KubeClient: Sendable {
    public var connection: ClusterConnection { executor.connection }
    public var configuration: KubeClientConfiguration { executor.configuration }
    private let executor: KubeRequestExecutor

    /// `http` defaults to a new client with the connection's TLS settings.
    public init(connection: ClusterConnection, http: CurlHTTPClient? = nil,
                configuration: KubeClientConfiguration = KubeClientConfiguration()) throws(KubeClientError) {
        let transport: CurlHTTPClient
        if let http {
            transport = http
        } else {
            do { transport = try CurlHTTPClient(tls: connection.tls) } catch { throw .transport(error) }
        }
        executor = KubeRequestExecutor(connection: connection, http: transport, configuration: configuration)
    }

    // MARK: Reads

    public func get<Object: KubernetesObject>(
        _ type: Object.Type, name: String, namespace: String? = nil, timeout: Duration? = nil
    ) async throws(KubeClientError) -> Object {
        let path = try objectPath(type, name: name, namespace: namespace)
        let response = try await executor.send(KubeRequest(method: "GET", path: path), timeout: timeout)
        return try decode(Object.self, response)
    }

    /// One page (or the whole list when `options.limit` is nil).
    public func list<Object: KubernetesObject>(
        _ type: Object.Type, namespace: String? = nil, options: ListOptions = ListOptions()
    ) async throws(KubeClientError) -> KubeList<Object> {
        let path = ResourceDescriptor(type).collectionPath(namespace: Object.isNamespaced ? namespace : nil)
        let response = try await executor.send(KubeRequest(method: "GET", path: path, query: options.queryItems), timeout: options.timeout)
        return try decode(KubeList<Object>.self, response)
    }

    /// Every item, fetched `pageSize` at a time. All pages come from the snapshot of the
    /// first; if that snapshot expires mid-way (410), the list starts over unpaginated,
    /// as client-go's pager does. The answer's resourceVersion is the snapshot's, the
    /// one to watch from.
    public func listAll<Object: KubernetesObject>(
        _ type: Object.Type, namespace: String? = nil, options: ListOptions = ListOptions(), pageSize: Int = 500
    ) async throws(KubeClientError) -> KubeList<Object> {
        var pageOptions = options
        pageOptions.limit = pageSize
        pageOptions.continueToken = nil
        var items: [Object] = []
        var first: KubeList<Object>?
        while true {
            let page: KubeList<Object>
            do {
                page = try await list(type, namespace: namespace, options: pageOptions)
            } catch where error.isGone && first != nil {
                var whole = options
                whole.limit = nil
                whole.continueToken = nil
                return try await list(type, namespace: namespace, options: whole)
            }
            if first == nil { first = page }
            items += page.items
            guard let token = page.metadata.continueToken, !token.isEmpty else { break }
            pageOptions.continueToken = token
        }
        var result = first!
        result.items = items
        result.metadata.continueToken = nil
        result.metadata.remainingItemCount = nil
        return result
    }

    /// Events after `options.resourceVersion`, until the server ends the watch (its
    /// timeout), the connection drops (the sequence throws), or the iteration stops
    /// (which aborts the transfer). A 410 Expired comes as an `.error` event.
    public func watch<Object: KubernetesObject>(
        _ type: Object.Type, namespace: String? = nil, options: WatchOptions = WatchOptions()
    ) async throws(KubeClientError) -> WatchEventStream<Object> {
        let path = ResourceDescriptor(type).collectionPath(namespace: Object.isNamespaced ? namespace : nil)
        let request = KubeRequest(method: "GET", path: path, query: options.queryItems)
        // The server closes the watch at its timeout; the transfer gets a margin beyond that.
        let response = try await executor.stream(request, transferTimeout: options.timeout + .seconds(30))
        return WatchEventStream(body: response.body)
    }

    // MARK: Writes

    public func create<Object: KubernetesObject>(
        _ object: Object, namespace: String? = nil, options: WriteOptions = WriteOptions()
    ) async throws(KubeClientError) -> Object {
        let namespace = resolvedNamespace(Object.self, namespace ?? object.metadata.namespace)
        let path = ResourceDescriptor(Object.self).collectionPath(namespace: namespace)
        let request = KubeRequest(method: "POST", path: path, query: options.queryItems, body: try encode(object), contentType: "application/json")
        return try decode(Object.self, try await executor.send(request, timeout: options.timeout))
    }

    /// Replaces the object. With `metadata.resourceVersion` set (as it is on anything
    /// read from the server), the server refuses a stale write with `.conflict`;
    /// without one the write is unconditional.
    public func update<Object: KubernetesObject>(
        _ object: Object, namespace: String? = nil, options: WriteOptions = WriteOptions()
    ) async throws(KubeClientError) -> Object {
        guard let name = object.metadata.name, !name.isEmpty else { throw .invalidRequest("update needs metadata.name") }
        let path = try objectPath(Object.self, name: name, namespace: namespace ?? object.metadata.namespace)
        let request = KubeRequest(method: "PUT", path: path, query: options.queryItems, body: try encode(object), contentType: "application/json")
        return try decode(Object.self, try await executor.send(request, timeout: options.timeout))
    }

    /// Writes only `status` (the status subresource).
    public func updateStatus<Object: KubernetesObject>(
        _ object: Object, namespace: String? = nil, options: WriteOptions = WriteOptions()
    ) async throws(KubeClientError) -> Object {
        guard let name = object.metadata.name, !name.isEmpty else { throw .invalidRequest("updateStatus needs metadata.name") }
        let path = try objectPath(Object.self, name: name, namespace: namespace ?? object.metadata.namespace) + "/status"
        let request = KubeRequest(method: "PUT", path: path, query: options.queryItems, body: try encode(object), contentType: "application/json")
        return try decode(Object.self, try await executor.send(request, timeout: options.timeout))
    }

    public func patch<Object: KubernetesObject>(
        _ type: Object.Type, name: String, namespace: String? = nil, patch: Patch, options: WriteOptions = WriteOptions()
    ) async throws(KubeClientError) -> Object {
        let path = try objectPath(type, name: name, namespace: namespace)
        let request = KubeRequest(method: "PATCH", path: path, query: options.queryItems,
                                  body: KubeJSON.serialize(patch.document), contentType: patch.contentType)
        return try decode(Object.self, try await executor.send(request, timeout: options.timeout))
    }

    /// Server-side apply: creates the object or merges this configuration into it, and
    /// makes `fieldManager` the owner of every field it sets. Applying the same
    /// configuration again changes nothing. Without `force`, a field another manager
    /// owns with a different value is a 409 conflict.
    public func apply<Object: KubernetesObject>(
        _ object: Object, fieldManager: String, force: Bool = false, namespace: String? = nil,
        dryRun: Bool = false, timeout: Duration? = nil
    ) async throws(KubeClientError) -> Object {
        let request = try applyRequest(object, fieldManager: fieldManager, force: force, namespace: namespace, dryRun: dryRun)
        return try decode(Object.self, try await executor.send(request, timeout: timeout))
    }

    /// ``apply(_:fieldManager:force:namespace:dryRun:timeout:)`` for a writer that does not
    /// read the object back: the server's answer is not decoded (a Deployment's is a few KB).
    public func applyDiscardingResult<Object: KubernetesObject>(
        _ object: Object, fieldManager: String, force: Bool = false, namespace: String? = nil,
        dryRun: Bool = false, timeout: Duration? = nil
    ) async throws(KubeClientError) {
        let request = try applyRequest(object, fieldManager: fieldManager, force: force, namespace: namespace, dryRun: dryRun)
        _ = try await executor.send(request, timeout: timeout)
    }

    private func applyRequest<Object: KubernetesObject>(
        _ object: Object, fieldManager: String, force: Bool, namespace: String?, dryRun: Bool
    ) throws(KubeClientError) -> KubeRequest {
        guard let name = object.metadata.name, !name.isEmpty else { throw .invalidRequest("apply needs metadata.name") }
        guard !fieldManager.isEmpty else { throw .invalidRequest("apply needs a fieldManager") }
        var configuration = object
        // An apply configuration must name its kind.
        configuration.apiVersion = Object.apiVersion
        configuration.kind = Object.kind
        let path = try objectPath(Object.self, name: name, namespace: namespace ?? object.metadata.namespace)
        var query = WriteOptions(fieldManager: fieldManager, dryRun: dryRun).queryItems
        if force { query.append(("force", "true")) }
        // JSON is YAML, which is what the apply content type names.
        return KubeRequest(method: "PATCH", path: path, query: query, body: try encode(configuration),
                           contentType: "application/apply-patch+yaml")
    }

    /// Answers the object when the server keeps it for a while (finalizers, graceful
    /// pod deletion, foreground propagation), nil when it answers with a Status.
    @discardableResult
    public func delete<Object: KubernetesObject>(
        _ type: Object.Type, name: String, namespace: String? = nil, options: DeleteOptions = DeleteOptions()
    ) async throws(KubeClientError) -> Object? {
        let path = try objectPath(type, name: name, namespace: namespace)
        var query: [(String, String)] = []
        if options.dryRun { query.append(("dryRun", "All")) }
        let request = KubeRequest(method: "DELETE", path: path, query: query, body: KubeJSON.serialize(options.body),
                                  contentType: "application/json")
        let response = try await executor.send(request, timeout: options.timeout)
        do { return try KubeJSON.decodeUnlessStatus(Object.self, from: response.body) } catch { throw .invalidResponse("delete: \(error)") }
    }

    // MARK: Helpers

    private func resolvedNamespace<Object: KubernetesObject>(_ type: Object.Type, _ namespace: String?) -> String? {
        guard Object.isNamespaced else { return nil }
        if let namespace, !namespace.isEmpty { return namespace }
        return connection.namespace
    }

    private func objectPath<Object: KubernetesObject>(_ type: Object.Type, name: String, namespace: String?) throws(KubeClientError) -> String {
        guard !name.isEmpty, name != ".", name != "..", !name.contains("/") else {
            throw .invalidRequest("\"\(name)\" is not a valid object name")
        }
        return ResourceDescriptor(type).objectPath(namespace: resolvedNamespace(type, namespace), name: name)
    }

    private func encode<Object: KubernetesObject>(_ object: Object) throws(KubeClientError) -> [UInt8] {
        do { return try KubeJSON.encode(object) } catch { throw .invalidRequest("cannot encode \(Object.kind): \(error)") }
    }

    private func decode<T: Decodable>(_ type: T.Type, _ response: HTTPResponse) throws(KubeClientError) -> T {
        do {
            return try KubeJSON.decode(type, from: response.body)
        } catch {
            throw .invalidResponse("cannot decode \(T.self): \(error)")
        }
    }
}
