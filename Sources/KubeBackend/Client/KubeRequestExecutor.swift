import Foundation

/// One request to the API server, before authentication and retries.
struct KubeRequest: Sendable {
    var method: String
    /// Already escaped, starting with "/".
    var path: String
    var query: [(String, String)] = []
    var body: [UInt8]?
    var contentType: String?
    /// A read (GET, LIST, WATCH establishment) may be retried after failures that a
    /// write could not be, since repeating it changes nothing.
    var isRead: Bool { method == "GET" }
}

/// The client's settings that are not the cluster's.
public struct KubeClientConfiguration: Sendable {
    /// Requests per second and burst for one cluster; nil disables client-side limiting.
    ///
    /// The default, 50 QPS with a burst of 100, is ten times client-go's 5/10: fleetd
    /// holds one client per cluster for a whole fleet's writes (a Deploy is several
    /// applies), and 5 QPS would queue a burst of Deploys for seconds. 50/100 matches
    /// kubectl's QPS and stays well inside what one apiserver's priority-and-fairness
    /// gives a single client; when the server does push back, it answers 429 with
    /// Retry-After, which the client honours.
    public var rateLimit: RateLimit?
    /// The deadline of a call, retries included, unless the call's options give one.
    public var requestTimeout: Duration
    public var retry: RetryPolicy
    public var userAgent: String
    public var clock: any KubeClock

    public struct RateLimit: Sendable, Hashable {
        public var qps: Double
        public var burst: Int

        public init(qps: Double, burst: Int) {
            self.qps = qps
            self.burst = burst
        }

        public static let `default` = RateLimit(qps: 50, burst: 100)
    }

    public init(rateLimit: RateLimit? = .default, requestTimeout: Duration = .seconds(30), retry: RetryPolicy = .default,
                userAgent: String = "fleetd", clock: any KubeClock = SystemKubeClock()) {
        self.rateLimit = rateLimit
        self.requestTimeout = requestTimeout
        self.retry = retry
        self.userAgent = userAgent
        self.clock = clock
    }
}

/// Sends requests to one cluster: rate limiting, credentials (refreshed once on a
/// 401), the call's deadline, and retries where they are safe.
final class KubeRequestExecutor: Sendable {
    let connection: ClusterConnection
    let http: CurlHTTPClient
    let configuration: KubeClientConfiguration
    private let rateLimiter: TokenBucketRateLimiter?
    private let baseURL: String

    init(connection: ClusterConnection, http: CurlHTTPClient, configuration: KubeClientConfiguration) {
        self.connection = connection
        self.http = http
        self.configuration = configuration
        rateLimiter = configuration.rateLimit.map {
            TokenBucketRateLimiter(qps: $0.qps, burst: $0.burst, clock: configuration.clock)
        }
        var base = connection.server.absoluteString
        while base.hasSuffix("/") { base.removeLast() }
        baseURL = base
    }

    private var clock: any KubeClock { configuration.clock }

    /// Answers a 2xx response; any other status is thrown as a typed API error.
    func send(_ request: KubeRequest, timeout: Duration?) async throws(KubeClientError) -> HTTPResponse {
        let deadline = clock.now() + (timeout ?? configuration.requestTimeout)
        return try await withRetries(request, deadline: deadline) { (httpRequest) throws(KubeClientError) in
            do {
                return .response(try await self.http.send(httpRequest))
            } catch {
                return .failed(Self.transportError(error))
            }
        }
    }

    /// Opens a streaming response (a watch) and answers once its headers are in with a
    /// 2xx; establishing it is retried like a read. `transferTimeout` bounds the whole stream.
    func stream(_ request: KubeRequest, transferTimeout: Duration) async throws(KubeClientError) -> HTTPStreamingResponse {
        let deadline = clock.now() + configuration.requestTimeout
        var streaming: HTTPStreamingResponse?
        _ = try await withRetries(request, deadline: deadline, transferTimeout: transferTimeout) { (httpRequest) throws(KubeClientError) in
            do {
                let response = try await self.http.stream(httpRequest)
                if (200..<300).contains(response.head.status) {
                    streaming = response
                    return .response(HTTPResponse(head: response.head, body: []))
                }
                var body: [UInt8] = []
                for try await chunk in response.body where body.count < 1 << 20 { body += chunk }
                return .response(HTTPResponse(head: response.head, body: body))
            } catch {
                return .failed(Self.transportError(error))
            }
        }
        guard let streaming else { throw .invalidResponse("the watch stream was not opened") }
        return streaming
    }

    private enum AttemptResult {
        case response(HTTPResponse)
        case failed(KubeClientError)
    }

    private func withRetries(
        _ request: KubeRequest, deadline: Duration, transferTimeout: Duration? = nil,
        attempt send: (HTTPRequest) async throws(KubeClientError) -> AttemptResult
    ) async throws(KubeClientError) -> HTTPResponse {
        var retries = 0
        var refreshedCredential = false
        while true {
            if let rateLimiter {
                do { try await rateLimiter.acquire() } catch { throw .transport(.cancelled) }
            }
            let credential: Credential
            do {
                credential = try await connection.credentials.credential()
            } catch {
                throw .credentials(error)
            }
            let remaining = deadline - clock.now()
            guard remaining > .zero else { throw .transport(.timedOut) }
            let httpRequest = makeHTTPRequest(request, credential: credential, timeout: transferTimeout ?? remaining)

            let failure: KubeClientError
            switch try await send(httpRequest) {
            case .response(let response) where (200..<300).contains(response.status):
                return response
            case .response(let response) where response.status == 401 && !refreshedCredential:
                // The credential may have expired or rotated: fetch a fresh one once.
                await connection.credentials.invalidate(credential)
                refreshedCredential = true
                continue
            case .response(let response):
                failure = .api(KubeStatusError(response: response))
            case .failed(let error):
                failure = error
            }
            guard !Task.isCancelled,
                  let delay = configuration.retry.delay(after: failure, attempt: retries, isRead: request.isRead),
                  clock.now() + delay < deadline
            else { throw failure }
            do { try await clock.sleep(for: delay) } catch { throw .transport(.cancelled) }
            retries += 1
        }
    }

    func makeHTTPRequest(_ request: KubeRequest, credential: Credential, timeout: Duration) -> HTTPRequest {
        var target = baseURL + request.path
        if !request.query.isEmpty { target += "?" + PathSegment.query(request.query) }
        var headers = [HTTPHeader("Accept", "application/json"), HTTPHeader("User-Agent", configuration.userAgent)]
        if let contentType = request.contentType { headers.append(HTTPHeader("Content-Type", contentType)) }
        if let token = credential.bearerToken {
            headers.append(HTTPHeader("Authorization", "Bearer \(token)"))
        } else if let basic = credential.basicAuth {
            let encoded = Data("\(basic.username):\(basic.password)".utf8).base64EncodedString()
            headers.append(HTTPHeader("Authorization", "Basic \(encoded)"))
        }
        // The path was escaped segment by segment, so the URL always parses.
        return HTTPRequest(method: request.method, url: URL(string: target)!, headers: headers, body: request.body, timeout: timeout)
    }

    static func transportError(_ error: any Error) -> KubeClientError {
        if let error = error as? KubeClientError { return error }
        if let error = error as? HTTPTransportError { return .transport(error) }
        if error is CancellationError { return .transport(.cancelled) }
        return .transport(.other(code: -1, message: String(describing: error)))
    }
}
