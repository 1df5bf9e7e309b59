import Foundation
import KubeBackend

/// The opaque `continue` value of a paginated list: the snapshot's resourceVersion
/// and the key to start after, base64 JSON as the apiserver encodes it.
struct ContinueToken: Equatable {
    var resourceVersion: Int64
    var startAfter: ObjectKey

    func encoded() -> String {
        let payload: JSONValue = [
            "v": "meta.k8s.io/v1", "rv": .number(JSONNumber(resourceVersion)),
            "start": .string(startAfter.namespace + "\u{0}" + startAfter.name),
        ]
        return Data(KubeJSON.serialize(payload)).base64EncodedString()
    }

    init(resourceVersion: Int64, startAfter: ObjectKey) {
        self.resourceVersion = resourceVersion
        self.startAfter = startAfter
    }

    init(decoding text: String) throws(APIError) {
        guard let data = Data(base64Encoded: text), let payload = try? KubeJSON.parse(Array(data)),
              payload["v"] == "meta.k8s.io/v1", let rv = payload["rv"]?.numberValue?.int64Value,
              let start = payload["start"]?.stringValue, let separator = start.firstIndex(of: "\u{0}")
        else { throw APIError.badRequest("continue key is not valid: invalid continue token") }
        resourceVersion = rv
        startAfter = ObjectKey(namespace: String(start[..<separator]), name: String(start[start.index(after: separator)...]))
    }
}
