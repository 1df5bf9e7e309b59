import Foundation

/// A throwaway certificate for 127.0.0.1 and localhost, made with Debian's `openssl`.
public struct SelfSignedCertificate: Sendable {
    public let certificatePEM: [UInt8]
    public let privateKeyPEM: [UInt8]

    public struct GenerationFailed: Error, CustomStringConvertible {
        public let description: String
    }

    public static func generate(commonName: String = "kubesim", openssl: String = "/usr/bin/openssl") throws -> SelfSignedCertificate {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kubesim-cert-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let certificatePath = directory.appendingPathComponent("tls.crt").path
        let keyPath = directory.appendingPathComponent("tls.key").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: openssl)
        process.arguments = [
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "365",
            "-keyout", keyPath, "-out", certificatePath, "-subj", "/CN=\(commonName)",
            "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
            "-addext", "basicConstraints=critical,CA:TRUE",
        ]
        process.standardOutput = FileHandle.nullDevice
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        let message = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw GenerationFailed(description: "openssl failed: " + String(decoding: message, as: UTF8.self))
        }
        return SelfSignedCertificate(
            certificatePEM: Array(try Data(contentsOf: URL(fileURLWithPath: certificatePath))),
            privateKeyPEM: Array(try Data(contentsOf: URL(fileURLWithPath: keyPath))))
    }

    /// `generate`, on a thread of its own: openssl runs for tens of milliseconds (more on
    /// a loaded machine), and waiting for it must not hold a thread of the concurrency
    /// pool, which has one per core.
    public static func generateOnOwnThread(commonName: String = "kubesim", openssl: String = "/usr/bin/openssl") async throws -> SelfSignedCertificate {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(with: Result { try generate(commonName: commonName, openssl: openssl) })
            }
        }
    }

    public init(certificatePEM: [UInt8], privateKeyPEM: [UInt8]) {
        self.certificatePEM = certificatePEM
        self.privateKeyPEM = privateKeyPEM
    }
}
