/// Code that runs around every call: authentication, logging, metrics.
///
/// An interceptor calls `next` to run the rest of the chain and the handler, or throws an
/// ``RPCError`` to end the call without running them.
public protocol ServerInterceptor: Sendable {
    func intercept(context: ServerContext, next: () async throws -> Void) async throws
}

extension Array where Element == any ServerInterceptor {
    /// Runs `body` inside every interceptor, the first one outermost.
    func run(context: ServerContext, body: () async throws -> Void) async throws {
        try await run(from: startIndex, context: context, body: body)
    }

    private func run(from index: Int, context: ServerContext, body: () async throws -> Void) async throws {
        guard index < endIndex else { return try await body() }
        try await self[index].intercept(context: context) {
            try await run(from: index + 1, context: context, body: body)
        }
    }
}
