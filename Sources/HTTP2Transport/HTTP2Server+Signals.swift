import Glibc
public import Logging
public import ServiceLifecycle

extension HTTP2Server {
    /// Runs this server with `others` in a ServiceGroup that shuts down gracefully on SIGTERM
    /// or SIGINT: the executables' main loop. The group shuts services down in reverse order,
    /// so `others` hear of the shutdown before the server drains; they may return early.
    ///
    /// `announcement` goes to standard output once the signal handlers are in place, so that
    /// whoever waits for it may send SIGTERM right away.
    public func runUntilTerminated(announcing announcement: String, with others: [any Service] = [],
                                   logger: Logger) async throws {
        let services = [ServiceGroupConfiguration.ServiceConfiguration(service: self)]
            + (others + [Announcement(line: announcement)]).map { .init(service: $0, successTerminationBehavior: .ignore) }
        // Until the group's signal sources are registered, a SIGTERM must not kill the process
        // with its default action: ignored signals still reach libdispatch's sources on Linux.
        signal(SIGTERM, SIG_IGN)
        signal(SIGINT, SIG_IGN)
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(
            services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }

}

/// Writes a line to standard output at once, unbuffered: scripts and tests wait for it to
/// learn that the server is up and on which port.
private struct Announcement: Service {
    let line: String

    func run() async throws {
        let text = line + "\n"
        _ = text.withCString { write(1, $0, strlen($0)) }
    }
}
