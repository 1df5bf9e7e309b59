// swift-tools-version:6.1
import PackageDescription

let strictSwift: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

/// The per-request path of every RPC (RPCServer, HTTP2Transport). Release builds skip the
/// runtime exclusivity checks there: measured, they were 6% of the instructions of an echo
/// request. Debug builds, which the tests run, keep them.
let hotPathSwift: [SwiftSetting] = strictSwift + [
    .unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release)),
]

let package = Package(
    name: "fleetd",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "fleetd", targets: ["fleetd"]),
        .executable(name: "interop-server", targets: ["InteropServer"]),
        .executable(name: "rpc-echo-server", targets: ["RPCEchoServer"]),
        .executable(name: "kubesim", targets: ["KubeSimServer"]),
        .executable(name: "fleetctl", targets: ["fleetctl"]),
        .executable(name: "fleet-microbench", targets: ["FleetMicrobench"]),
        .executable(name: "kube-bench", targets: ["KubeBench"]),
        .executable(name: "fleet-bench", targets: ["FleetBench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift.git", from: "0.2.0"),
    ],
    targets: [
        // C libraries, each wrapped by exactly one Swift module.
        .systemLibrary(
            name: "CNGHTTP2",
            pkgConfig: "libnghttp2",
            providers: [.apt(["libnghttp2-dev"])]
        ),
        .systemLibrary(
            name: "CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        .systemLibrary(
            name: "CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),
        .target(
            name: "CProtos",
            cSettings: [.unsafeFlags(["-Wno-everything"])],
            linkerSettings: [.linkedLibrary("protobuf-c")]
        ),

        // gRPC semantics, independent of any transport.
        .target(name: "RPCServer", dependencies: ["CZlib"], swiftSettings: hotPathSwift),
        // Swift value types for the .proto messages, over the protoc-c output.
        .target(name: "Protos", dependencies: ["CProtos", "RPCServer"], swiftSettings: strictSwift),
        // HTTP/2 on libnghttp2 inside SwiftNIO channels.
        .target(
            name: "HTTP2Transport",
            dependencies: [
                "RPCServer", "CNGHTTP2",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: hotPathSwift
        ),

        // A gRPC client on libnghttp2's client API inside SwiftNIO channels.
        .target(
            name: "RPCClient",
            dependencies: [
                "RPCServer", "CNGHTTP2",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            swiftSettings: strictSwift
        ),

        // The fleet domain: capacity model, placement, priority queue, capacity hub.
        // No proto, no HTTP; it defines the ClusterAPI protocol the backends implement.
        .target(name: "Fleet", dependencies: [.product(name: "Logging", package: "swift-log")], swiftSettings: strictSwift),

        // The Kubernetes API client: libcurl transport, kubeconfig, typed models.
        .target(
            name: "KubeBackend",
            dependencies: ["CCurl", "Fleet", .product(name: "Yams", package: "Yams")],
            swiftSettings: strictSwift
        ),

        // A simulated Kubernetes API server (not a real one): in-memory store, REST over HTTP/1.1.
        .target(
            name: "KubeSim",
            dependencies: [
                "KubeBackend",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: strictSwift
        ),
        .executableTarget(
            name: "KubeSimServer",
            dependencies: ["KubeSim", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Sources/kubesim",
            swiftSettings: strictSwift
        ),

        // fleet.v1.Fleet: validation and proto <-> domain mapping over the fleet manager.
        .target(name: "Services", dependencies: ["RPCServer", "Protos", "Fleet"], swiftSettings: strictSwift),

        // fleetd assembled: configuration, the cluster backends, the embedded simulated fleet.
        .target(
            name: "FleetdApp",
            dependencies: [
                "Fleet", "Services", "KubeBackend", "KubeSim", "RPCServer", "HTTP2Transport", "StandardServices", "Protos",
                .product(name: "Yams", package: "Yams"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSwift
        ),

        // grpc.health.v1 and server reflection, which every gRPC client expects.
        .target(name: "StandardServices", dependencies: ["RPCServer", "Protos"], swiftSettings: strictSwift),

        .executableTarget(
            name: "fleetd",
            dependencies: [
                "FleetdApp", "Fleet", "KubeBackend",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSwift
        ),
        .executableTarget(
            name: "fleetctl",
            dependencies: [
                "RPCClient", "RPCServer", "Protos",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: strictSwift
        ),
        .executableTarget(
            name: "InteropServer",
            dependencies: [
                "RPCServer", "HTTP2Transport", "Protos", "StandardServices",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSwift
        ),

        .executableTarget(
            name: "FleetMicrobench",
            dependencies: ["Fleet", "Protos"],
            path: "bench/FleetMicrobench",
            swiftSettings: strictSwift
        ),
        .executableTarget(
            name: "FleetBench",
            dependencies: [
                "RPCClient", "RPCServer", "Protos",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
            ],
            path: "bench/FleetBench",
            swiftSettings: strictSwift
        ),
        .executableTarget(
            name: "KubeBench",
            dependencies: ["KubeBackend", "KubeSim", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "bench/KubeBench",
            exclude: ["decode_compare.py"],
            swiftSettings: strictSwift
        ),
        .executableTarget(
            name: "RPCEchoServer",
            dependencies: [
                "RPCServer", "HTTP2Transport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "bench/RPCEchoServer",
            swiftSettings: strictSwift
        ),

        .testTarget(
            name: "RPCServerTests",
            dependencies: ["RPCServer"],
            swiftSettings: strictSwift
        ),
        .testTarget(
            name: "HTTP2TransportTests",
            dependencies: ["HTTP2Transport", .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio")],
            swiftSettings: strictSwift
        ),
        .testTarget(
            name: "RPCClientTests",
            dependencies: ["RPCClient", "RPCServer", "HTTP2Transport", "Protos", "fleetctl"],
            swiftSettings: strictSwift
        ),
        .testTarget(name: "FleetBenchTests", dependencies: ["FleetBench", "Protos"], swiftSettings: strictSwift),
        .testTarget(name: "ProtosTests", dependencies: ["Protos"], swiftSettings: strictSwift),
        .testTarget(name: "FleetTests", dependencies: ["Fleet"], swiftSettings: strictSwift),
        .testTarget(name: "ServicesTests", dependencies: ["Services", "Fleet", "Protos", "RPCServer"], swiftSettings: strictSwift),
        .testTarget(name: "FleetdAppTests", dependencies: [
            "FleetdApp", "Fleet", "RPCServer", .product(name: "Prometheus", package: "swift-prometheus"),
            .product(name: "Logging", package: "swift-log"),
        ], swiftSettings: strictSwift),
        .testTarget(name: "KubeBackendTests", dependencies: ["KubeBackend", "KubeSim"], swiftSettings: strictSwift),
        .testTarget(name: "KubeSimTests", dependencies: ["KubeSim", "KubeBackend"], swiftSettings: strictSwift),
    ],
    swiftLanguageModes: [.v6]
)
