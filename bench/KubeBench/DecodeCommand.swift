import ArgumentParser
import Foundation
import KubeBackend

/// Decodes a NodeList or PodList file with KubeBackend's decoder (bytes → models, unknown
/// fields kept), in a fresh process: the first decode's peak memory above what the
/// process held before it, and the median time over the iterations. Prints one JSON line.
struct DecodeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "decode", abstract: "Time and peak memory of decoding a list.")

    @Argument(help: "A NodeList or PodList JSON file (from `kube-bench generate`).") var file: String
    @Option(help: "nodes or pods.") var kind: String
    @Option(help: "Timed decodes after the first.") var iterations = 5

    func run() throws {
        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: file)))
        switch kind {
        case "nodes": try report(Node.self, bytes)
        case "pods": try report(Pod.self, bytes)
        default: throw ValidationError("--kind is nodes or pods")
        }
    }

    private func report<Object: KubernetesObject>(_ type: Object.Type, _ bytes: [UInt8]) throws {
        let before = ProcessMemory.resident
        var count = 0
        let first = try measure { count = try KubeJSON.decode(KubeList<Object>.self, from: bytes).items.count }
        let peak = ProcessMemory.peakResident - before
        var times: [Double] = []
        for _ in 0..<iterations {
            times.append(try measure { _ = try KubeJSON.decode(KubeList<Object>.self, from: bytes) })
        }
        print("{\"items\": \(count), \"bytes\": \(bytes.count), \"first_seconds\": \(first), \"median_seconds\": \(median(times + [first])), \"peak_bytes\": \(peak)}")
    }
}
