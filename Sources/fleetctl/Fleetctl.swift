import ArgumentParser

@main
struct Fleetctl: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fleetctl",
        abstract: "Deploy, serve and reserve capacity for ML models across fleetd's Kubernetes clusters.",
        discussion: """
            Talks to fleetd over gRPC. Quantities read like Kubernetes': --cpu 500m, --memory 4Gi, \
            --gpu nvidia-tesla-a100=2. Failed calls print the gRPC status and every field violation, \
            and exit with status 1.
            """,
        subcommands: [
            Deploy.self, Get.self, List.self, Delete.self, Serve.self,
            Reserve.self, Release.self, Reservations.self, Capacity.self, Watch.self,
        ])
}
