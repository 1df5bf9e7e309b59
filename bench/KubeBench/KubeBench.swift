import ArgumentParser

/// `kube-bench`: KubeBackend's and kubesim's benchmarks. Executables, not timed tests;
/// see bench/KUBE-RESULTS.md for how they are run and what they measured.
@main
struct KubeBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kube-bench",
        abstract: "Benchmarks of KubeBackend (list decoding, informer cache) and kubesim (write rate).",
        subcommands: [GenerateCommand.self, DecodeCommand.self, InformerCommand.self, WritesCommand.self])
}
