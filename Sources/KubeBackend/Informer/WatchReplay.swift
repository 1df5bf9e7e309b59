/// Recorded watch lines decoded and applied to a cache, one at a time, as an informer's
/// watch does past the socket. For benchmarks: compiled in this module for `Pod` and
/// `PodClaim`, it runs the code specialized for that kind, as fleetd's own informers do.
/// A generic call from another module would run the unspecialized code, about a quarter
/// slower, and time something fleetd never runs.
package enum WatchReplay {
    package static func apply(_ lines: [[UInt8]], to cache: InformerCache<PodClaim>) throws {
        try replay(lines, cache)
    }

    package static func apply(_ lines: [[UInt8]], to cache: InformerCache<Pod>) throws {
        try replay(lines, cache)
    }

    @inline(__always)
    private static func replay<Object: KubernetesObject>(_ lines: [[UInt8]], _ cache: InformerCache<Object>) throws {
        for line in lines { cache.apply(try KubeJSON.decode(WatchEvent<Object>.self, from: line)) }
    }
}
