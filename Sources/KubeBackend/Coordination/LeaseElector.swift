import Foundation

/// Leader election through a `coordination.k8s.io/v1` Lease, the way client-go's
/// leaderelection package does it. One replica holds the Lease and renews it. The others
/// take it over once it has gone unrenewed for its duration.
///
/// Expiry is judged by when this replica last saw the Lease change, on its own clock, and
/// not by the holder's `renewTime`, so clock skew between replicas does not matter. Every
/// write carries the resourceVersion read, so two replicas never both win one round.
public actor LeaseElector {
    public struct Configuration: Sendable {
        public var namespace: String
        public var name: String
        /// Unique per replica, e.g. the pod name plus a random suffix.
        public var identity: String
        /// How long others wait after the Lease last changed before they take it.
        public var leaseDuration: Duration
        /// A leader that has not renewed for this long steps down. Shorter than leaseDuration.
        public var renewDeadline: Duration
        /// Time between attempts, for candidates and for the leader's renewals.
        public var retryPeriod: Duration

        public init(namespace: String, name: String, identity: String, leaseDuration: Duration = .seconds(15),
                    renewDeadline: Duration = .seconds(10), retryPeriod: Duration = .seconds(2)) {
            self.namespace = namespace
            self.name = name
            self.identity = identity
            self.leaseDuration = leaseDuration
            self.renewDeadline = renewDeadline
            self.retryPeriod = retryPeriod
        }
    }

    public nonisolated let configuration: Configuration
    private let client: KubeClient
    private let clock: any KubeClock
    /// The resourceVersion of the Lease as last read or written, and when (on `clock`) it was first seen.
    private var observedVersion: String?
    private var observedAt: Duration = .zero
    public private(set) var isLeader = false

    /// - Parameter clock: defaults to the client's clock; tests pass one they drive.
    public init(client: KubeClient, configuration: Configuration, clock: (any KubeClock)? = nil) {
        self.client = client
        self.configuration = configuration
        self.clock = clock ?? client.configuration.clock
    }

    /// One round: takes the Lease if it is missing, released or expired, renews it if this
    /// replica holds it. Returns whether this replica holds it now. A lost race (409) is a
    /// `false`, not an error.
    /// - Parameter budget: how long the round's requests may take in all, retries included
    ///   (default: renewDeadline).
    @discardableResult
    public func tryAcquireOrRenew(within budget: Duration? = nil) async throws(KubeClientError) -> Bool {
        let now = clock.now()
        let deadline = now + (budget ?? configuration.renewDeadline)
        let stamp = Timestamp(Date(), fractionalDigits: 6)
        let current: Lease
        do throws(KubeClientError) {
            current = try await client.get(Lease.self, name: configuration.name, namespace: configuration.namespace,
                                           timeout: try timeLeft(until: deadline))
        } catch where error.isNotFound {
            return try await create(stamp: stamp, options: WriteOptions(timeout: try timeLeft(until: deadline)))
        }
        if current.metadata.resourceVersion != observedVersion {
            observedVersion = current.metadata.resourceVersion
            observedAt = now
        }
        let holder = current.spec?.holderIdentity ?? ""
        if !holder.isEmpty && holder != configuration.identity && now < observedAt + duration(of: current) {
            return lost()
        }
        var spec = current.spec ?? LeaseSpec()
        if holder != configuration.identity {
            spec.acquireTime = stamp
            spec.leaseTransitions = (spec.leaseTransitions ?? 0) + 1
        }
        spec.holderIdentity = configuration.identity
        spec.leaseDurationSeconds = Self.seconds(configuration.leaseDuration)
        spec.renewTime = stamp
        var lease = current
        lease.spec = spec
        do throws(KubeClientError) {
            return won(try await client.update(lease, options: WriteOptions(timeout: try timeLeft(until: deadline))))
        } catch where error.isConflict {
            return lost()
        }
    }

    /// Gives the Lease up if this replica holds it, so that another takes over at once
    /// instead of after the lease duration.
    public func release() async throws(KubeClientError) {
        guard isLeader else { return }
        isLeader = false
        var lease = try await client.get(Lease.self, name: configuration.name, namespace: configuration.namespace)
        guard lease.spec?.holderIdentity == configuration.identity else { return }
        let stamp = Timestamp(Date(), fractionalDigits: 6)
        lease.spec?.holderIdentity = nil
        lease.spec?.leaseDurationSeconds = 1
        lease.spec?.acquireTime = stamp
        lease.spec?.renewTime = stamp
        _ = try await client.update(lease)
    }

    /// Campaigns until the task is cancelled, reporting each change of leadership: tries
    /// every retryPeriod until it leads, then renews every retryPeriod. A leader whose
    /// renewals have failed for renewDeadline steps down. On cancellation a leader reports
    /// that it stopped leading and only then releases, so that its leader work has ended
    /// before another replica can take over.
    public func run(onLeadershipChange: @Sendable (Bool) async -> Void) async {
        var lastRenewal = clock.now()
        while !Task.isCancelled {
            let wasLeader = isLeader
            // A leader's round must end by its renew deadline, so that it steps down before
            // the Lease can expire for the others.
            let budget = wasLeader ? configuration.renewDeadline - (clock.now() - lastRenewal) : configuration.renewDeadline
            let leads: Bool
            do {
                leads = try await tryAcquireOrRenew(within: budget)
                if leads { lastRenewal = clock.now() }
            } catch {
                // A transport or API failure: a leader keeps leading until the deadline passes.
                leads = wasLeader && clock.now() - lastRenewal < configuration.renewDeadline
                isLeader = leads
            }
            if leads != wasLeader { await onLeadershipChange(leads) }
            do {
                try await clock.sleep(for: configuration.retryPeriod)
            } catch {
                break
            }
        }
        if isLeader {
            await onLeadershipChange(false)
            // In a task of its own: this one is cancelled, and so would be its requests.
            await Task { try? await self.release() }.value
        }
    }

    private func create(stamp: Timestamp, options: WriteOptions) async throws(KubeClientError) -> Bool {
        let lease = Lease(
            metadata: ObjectMeta(name: configuration.name, namespace: configuration.namespace),
            spec: LeaseSpec(holderIdentity: configuration.identity, leaseDurationSeconds: Self.seconds(configuration.leaseDuration),
                            acquireTime: stamp, renewTime: stamp, leaseTransitions: 0))
        do throws(KubeClientError) {
            return won(try await client.create(lease, options: options))
        } catch where error.isAlreadyExists {
            return lost()
        }
    }

    /// This replica's write went through: it leads, and has seen the Lease as written.
    private func won(_ written: Lease) -> Bool {
        observedVersion = written.metadata.resourceVersion
        observedAt = clock.now()
        isLeader = true
        return true
    }

    /// Another replica wrote first.
    private func lost() -> Bool {
        isLeader = false
        return false
    }

    private func timeLeft(until deadline: Duration) throws(KubeClientError) -> Duration {
        let left = deadline - clock.now()
        guard left > .zero else { throw .transport(.timedOut) }
        return left
    }

    private func duration(of lease: Lease) -> Duration {
        lease.spec?.leaseDurationSeconds.map { .seconds(Int64($0)) } ?? configuration.leaseDuration
    }

    private static func seconds(_ duration: Duration) -> Int32 {
        Int32(clamping: max(1, duration.components.seconds))
    }
}
