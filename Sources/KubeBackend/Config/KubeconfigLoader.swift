public import Foundation
import Yams

/// Why a configuration could not be loaded or resolved.
public enum KubeconfigError: Error, Sendable, Equatable, CustomStringConvertible {
    case noConfiguration
    case noContextChosen
    case contextNotFound(String)
    case clusterNotFound(cluster: String, context: String)
    case userNotFound(user: String, context: String)
    case missingServer(cluster: String)
    case invalidServerURL(String)
    case unreadableFile(path: String, reason: String)
    case invalidFile(path: String, reason: String)
    case invalidBase64(field: String, entry: String)
    case invalidExecConfig(user: String, reason: String)
    case unsupportedAuthProvider(user: String)
    case notInCluster

    public var description: String {
        switch self {
        case .noConfiguration:
            return "invalid configuration: no configuration has been provided"
        case .noContextChosen:
            return "no context chosen: set current-context or name a context"
        case .contextNotFound(let name):
            return "context \"\(name)\" was not found"
        case .clusterNotFound(let cluster, let context):
            return "cluster \"\(cluster)\" was not found for context \"\(context)\""
        case .userNotFound(let user, let context):
            return "user \"\(user)\" was not found for context \"\(context)\""
        case .missingServer(let cluster):
            return "no server found for cluster \"\(cluster)\""
        case .invalidServerURL(let server):
            return "server \"\(server)\" is not an http or https URL"
        case .unreadableFile(let path, let reason):
            return "cannot read \(path): \(reason)"
        case .invalidFile(let path, let reason):
            return "error loading config file \"\(path)\": \(reason)"
        case .invalidBase64(let field, let entry):
            return "\(field) of \"\(entry)\" is not valid base64"
        case .invalidExecConfig(let user, let reason):
            return "invalid exec plugin configuration for user \"\(user)\": \(reason)"
        case .unsupportedAuthProvider(let user):
            return "user \"\(user)\" uses a legacy auth-provider, which is not supported; use an exec plugin"
        case .notInCluster:
            return "unable to load in-cluster configuration, KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must be defined"
        }
    }
}

/// Finds and merges kubeconfig files as kubectl does.
public struct KubeconfigLoader: Sendable {
    public var environment: [String: String]
    public var homeDirectory: String

    public init(
        environment: [String: String] = ProcessInfo.processInfo.environment,
        homeDirectory: String = NSHomeDirectory()
    ) {
        self.environment = environment
        self.homeDirectory = homeDirectory
    }

    /// The files to read, first wins: the explicit path alone (like `--kubeconfig`),
    /// else KUBECONFIG's colon-separated list (empty entries and repeats skipped),
    /// else ~/.kube/config.
    public func configFiles(explicitPath: String? = nil) -> [String] {
        if let explicitPath, !explicitPath.isEmpty { return [explicitPath] }
        if let list = environment["KUBECONFIG"], !list.isEmpty {
            var seen = Set<String>()
            return list.split(separator: ":").map(String.init).filter { !$0.isEmpty && seen.insert($0).inserted }
        }
        return [homeDirectory + "/.kube/config"]
    }

    /// Loads and merges. Files in KUBECONFIG (or the default path) that do not exist
    /// are skipped, as kubectl skips them; an explicit path must exist.
    public func load(explicitPath: String? = nil) throws(KubeconfigError) -> Kubeconfig {
        let explicit = explicitPath.map { !$0.isEmpty } ?? false
        var files: [KubeconfigFile] = []
        for path in configFiles(explicitPath: explicitPath) {
            if !explicit, !FileManager.default.fileExists(atPath: path) { continue }
            files.append(try Self.parseFile(at: path))
        }
        guard !files.isEmpty else { throw .noConfiguration }
        return Kubeconfig(merging: files)
    }

    static func parseFile(at path: String) throws(KubeconfigError) -> KubeconfigFile {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw .unreadableFile(path: path, reason: Self.reason(error))
        }
        var file: KubeconfigFile
        if text.allSatisfy(\.isWhitespace) {
            file = KubeconfigFile()
        } else {
            do {
                file = try YAMLDecoder().decode(KubeconfigFile.self, from: text)
            } catch {
                throw .invalidFile(path: path, reason: Self.reason(error))
            }
        }
        file.directory = FilePaths.directory(of: Self.absolute(path))
        return file
    }

    static func absolute(_ path: String) -> String {
        path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
    }

    static func reason(_ error: any Error) -> String {
        if let decoding = error as? DecodingError {
            switch decoding {
            case .keyNotFound(let key, let context):
                return "missing \(pathText(context.codingPath + [key]))"
            case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
                return "\(pathText(context.codingPath)): \(context.debugDescription)"
            @unknown default:
                return "\(decoding)"
            }
        }
        if let cocoa = error as? CocoaError, let underlying = cocoa.userInfo[NSUnderlyingErrorKey] as? any Error {
            return (underlying as NSError).localizedDescription
        }
        return (error as NSError).localizedDescription
    }

    private static func pathText(_ path: [any CodingKey]) -> String {
        path.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
    }
}
