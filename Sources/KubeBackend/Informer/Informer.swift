/// How an informer lists, watches and backs off.
public struct InformerConfiguration: Sendable {
    public var labelSelector: String?
    public var fieldSelector: String?
    /// Items per page of each (re)list.
    public var pageSize: Int
    /// Each watch asks the server to end it after a random time in this range, as
    /// client-go does (5 to 10 minutes), so that many informers do not reconnect together.
    public var watchTimeout: ClosedRange<Duration>
    /// Between failed attempts; reset once a list or watch succeeds.
    public var backoff: Backoff

    public init(labelSelector: String? = nil, fieldSelector: String? = nil, pageSize: Int = 500,
                watchTimeout: ClosedRange<Duration> = .seconds(300)...(.seconds(600)),
                backoff: Backoff = Backoff(initial: .milliseconds(800), maximum: .seconds(30), jitter: 0.5)) {
        self.labelSelector = labelSelector
        self.fieldSelector = fieldSelector
        self.pageSize = pageSize
        self.watchTimeout = watchTimeout
        self.backoff = backoff
    }
}

/// Keeps an `InformerCache` equal to one kind on one cluster, the way client-go's
/// reflector does: list, then watch from the list's resourceVersion with bookmarks;
/// resume a watch that ends or drops from the last resourceVersion seen; relist when
/// the server says that resourceVersion is gone (410, as an HTTP status or as an
/// ERROR event); back off exponentially, with jitter, on failures, and for as long
/// as a 429's Retry-After asks. Waits go through the client's clock.
public final class Informer<Object: KubernetesObject>: Sendable {
    public let cache = InformerCache<Object>()
    public let namespace: String?
    public let configuration: InformerConfiguration
    private let client: KubeClient

    /// `namespace` nil watches every namespace (and is ignored for cluster-scoped kinds).
    public init(_ type: Object.Type, client: KubeClient, namespace: String? = nil,
                configuration: InformerConfiguration = InformerConfiguration()) {
        self.client = client
        self.namespace = namespace
        self.configuration = configuration
    }

    private var clock: any KubeClock { client.configuration.clock }

    /// Runs until the calling task is cancelled, then ends the cache's event streams.
    public func run() async {
        defer { cache.finish() }
        var resourceVersion: String?
        var failures = 0
        while !Task.isCancelled {
            do throws(KubeClientError) {
                if resourceVersion == nil {
                    resourceVersion = try await relist()
                    failures = 0
                }
                let started = clock.now()
                if try await watch(from: &resourceVersion) {
                    failures = 0
                } else if clock.now() - started < .seconds(1) {
                    // A watch that ends at once with nothing in it means trouble, not a quiet cluster.
                    throw KubeClientError.invalidResponse("the watch ended at once without events")
                }
            } catch {
                if Task.isCancelled || error.isCancelled { return }
                if error.isGone {
                    // The resourceVersion is too old to watch from: relist at once, the first time.
                    resourceVersion = nil
                    if failures == 0 {
                        failures = 1
                        continue
                    }
                }
                guard (try? await clock.sleep(for: delay(after: error, failures: failures))) != nil else { return }
                failures += 1
            }
        }
    }

    /// Lists everything and replaces the cache; answers the list's resourceVersion.
    private func relist() async throws(KubeClientError) -> String {
        let options = ListOptions(labelSelector: configuration.labelSelector, fieldSelector: configuration.fieldSelector)
        let list = try await client.listAll(Object.self, namespace: namespace, options: options, pageSize: configuration.pageSize)
        let version = list.metadata.resourceVersion ?? ""
        cache.replace(with: list.items, resourceVersion: version)
        return version
    }

    /// One watch, until the server ends it; `resourceVersion` follows every event and
    /// bookmark. Answers whether any event arrived. Throws what ended it otherwise.
    private func watch(from resourceVersion: inout String?) async throws(KubeClientError) -> Bool {
        let options = WatchOptions(
            labelSelector: configuration.labelSelector, fieldSelector: configuration.fieldSelector,
            resourceVersion: resourceVersion, allowBookmarks: true, timeout: randomWatchTimeout())
        let stream = try await client.watch(Object.self, namespace: namespace, options: options)
        var sawEvents = false
        do {
            for try await event in stream {
                if case .error(let status) = event {
                    throw KubeClientError.api(KubeStatusError(status: status, httpCode: Int(status.code ?? 500)))
                }
                cache.apply(event)
                sawEvents = true
                if let version = event.object?.metadata.resourceVersion, !version.isEmpty { resourceVersion = version }
            }
        } catch let error as KubeClientError {
            // A watch that dropped after making progress resumes at once from where it got to.
            if sawEvents, error.isTransport, !error.isCancelled { return true }
            throw error
        } catch {
            throw KubeRequestExecutor.transportError(error)
        }
        return sawEvents
    }

    private func delay(after error: KubeClientError, failures: Int) -> Duration {
        if error.isTooManyRequests, let retryAfter = error.retryAfter { return retryAfter }
        return configuration.backoff.delay(attempt: failures)
    }

    private func randomWatchTimeout() -> Duration {
        let range = configuration.watchTimeout
        let span = (range.upperBound - range.lowerBound).seconds
        return range.lowerBound + .seconds(span * configuration.backoff.random())
    }
}
