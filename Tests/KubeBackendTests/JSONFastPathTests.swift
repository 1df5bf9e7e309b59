import Foundation
import KubeBackend
import Testing

/// A pod as the apiserver writes it, with what makes decoding interesting: unknown
/// fields at several levels, nulls, escapes (also in keys), text beyond ASCII, numbers
/// and quantities as strings and as numbers.
let richPodJSON = #"""
{
  "kind": "Pod", "apiVersion": "v1",
  "metadata": {
    "name": "llm-0", "namespace": "ml", "uid": "93eed4bc-7a84-4ca0-addb-e65dec9fae43",
    "resourceVersion": "7", "generation": 1, "creationTimestamp": "2026-11-29T08:55:02Z",
    "deletionTimestamp": null,
    "labels": {"app": "llm", "caf\u00e9": "cr\u00e8me \ud83d\ude80"},
    "annotations": {"note": "line\nbreak \"quoted\" \\ tab\t", "empty": ""},
    "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "llm", "uid": "f47a", "controller": true, "futureRef": 1}],
    "finalizers": ["a/b"],
    "managedFields": [{"manager": "kubectl", "fieldsV1": {"f:spec": {}}}],
    "selfLink": "/api/v1/namespaces/ml/pods/llm-0"
  },
  "spec": {
    "priorityClassName": "fleet-high",
    "containers": [{
      "n\u0061me": "server", "image": "registry.example/llm:2.1", "args": ["--port", "8080"],
      "env": [{"name": "MODEL", "value": "llama-70b"}, {"name": "IP", "valueFrom": {"fieldRef": {"fieldPath": "status.podIP"}}}],
      "ports": [{"name": "http", "containerPort": 8080, "protocol": "TCP"}],
      "resources": {"requests": {"cpu": "500m", "memory": 1073741824}, "limits": {"memory": "16Gi", "nvidia.com/gpu": 1}},
      "volumeMounts": [{"name": "cache", "mountPath": "/cache"}]
    }],
    "tolerations": [{"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule", "tolerationSeconds": 300}],
    "affinity": {"nodeAffinity": {"weights": [1, 2.50, -3e2]}},
    "nodeSelector": {"fleet.io/accelerator": "nvidia-a100"},
    "priority": 1000, "restartPolicy": "Always", "dnsPolicy": "ClusterFirst",
    "terminationGracePeriodSeconds": 30, "nodeName": "gke-a100-00xp"
  },
  "status": {
    "phase": "Running",
    "conditions": [
      {"type": "Ready", "status": "True", "lastProbeTime": null, "lastTransitionTime": "2026-11-29T08:55:01Z"},
      {"type": "PodScheduled", "status": "True", "reason": null, "message": "ok"}
    ],
    "hostIP": "10.1.13.71", "hostIPs": [{"ip": "10.1.13.71"}], "podIP": "10.64.0.0",
    "startTime": "2026-11-29T08:55:01Z", "qosClass": "Burstable",
    "containerStatuses": [{"name": "server", "state": {"running": {"startedAt": "2026-11-29T08:55:01Z"}},
      "ready": true, "restartCount": 0, "image": "registry.example/llm:2.1", "started": true, "imageID": ""}]
  },
  "futureTopLevel": {"enabled": true}
}
"""#

let richNodeJSON = #"""
{
  "kind": "Node", "apiVersion": "v1",
  "metadata": {"name": "gke-a100-00xp", "labels": {"nvidia.com/gpu.product": "NVIDIA-A100-SXM4-40GB"}},
  "spec": {"providerID": "gce://p/z/n", "podCIDR": "10.64.0.0/24", "podCIDRs": ["10.64.0.0/24"], "unschedulable": false,
    "taints": [{"key": "nvidia.com/gpu", "value": "present", "effect": "NoSchedule", "timeAdded": null}]},
  "status": {
    "capacity": {"cpu": "12", "memory": "87497132Ki", "nvidia.com/gpu": "1", "pods": 110},
    "allocatable": {"cpu": "11.5", "memory": "1e3", "nvidia.com/gpu": "1"},
    "conditions": [{"type": "Ready", "status": "True", "lastHeartbeatTime": "2026-11-29T08:55:01Z"}],
    "addresses": [{"type": "InternalIP", "address": "10.1.13.71"}],
    "nodeInfo": {"kubeletVersion": "v1.30.1", "architecture": "amd64", "operatingSystem": "linux", "bootID": "x"},
    "images": []
  }
}
"""#

/// `KubeJSON.decode(_:from: bytes)` reads pods, nodes, lists and watch events straight
/// from the bytes; `KubeJSON.decode(_:from: JSONValue)` goes through `Decodable` over
/// the parsed tree. Both must give the same models, unknown fields (in order) and errors.
@Suite struct JSONFastPathTests {
    private func expectSameBothWays<T: Decodable & Encodable & Equatable>(
        _ type: T.Type, _ text: String, sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let bytes = Array(text.utf8)
        let direct = try KubeJSON.decode(type, from: bytes)
        let throughTree = try KubeJSON.decode(type, from: KubeJSON.parse(bytes))
        #expect(direct == throughTree, sourceLocation: sourceLocation)
        // What a read-modify-write would send back. (Not compared as bytes: maps such as
        // labels are Dictionaries, whose order differs from one instance to the next.)
        #expect(try KubeJSON.parse(KubeJSON.encode(direct)) == KubeJSON.parse(KubeJSON.encode(throughTree)), sourceLocation: sourceLocation)
    }

    private func errorDescription<T: Decodable>(_ type: T.Type, _ produce: () throws -> T) -> String? {
        do {
            _ = try produce()
            return nil
        } catch let error as DecodingError {
            switch error {
            case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
                return "\(error) \(context.codingPath.map(\.stringValue)) \(context.debugDescription)"
            case .keyNotFound(let key, let context):
                return "keyNotFound \(key.stringValue) \(context.codingPath.map(\.stringValue)) \(context.debugDescription)"
            @unknown default:
                return "\(error)"
            }
        } catch {
            return "\(error)"
        }
    }

    @Test func podsNodesListsAndEventsDecodeAsThroughDecodable() throws {
        try expectSameBothWays(Pod.self, richPodJSON)
        try expectSameBothWays(Node.self, richNodeJSON)
        try expectSameBothWays(KubeList<Pod>.self, #"{"kind":"PodList","metadata":{"resourceVersion":"9","continue":"c"},"items":[\#(richPodJSON),\#(richPodJSON)],"extra":1}"#)
        try expectSameBothWays(KubeList<Node>.self, #"{"kind":"NodeList","metadata":{},"items":null}"#)
        try expectSameBothWays(KubeList<Deployment>.self, #"{"items":[\#(deploymentJSON)]}"#)
        try expectSameBothWays(WatchEvent<Pod>.self, #"{"type":"MODIFIED","object":\#(richPodJSON)}"#)
        try expectSameBothWays(WatchEvent<Node>.self, #"{"type":"ERROR","object":{"kind":"Status","status":"Failure","code":410,"reason":"Expired"}}"#)
    }

    @Test func readsEveryFieldAndKeepsTheRestInOrder() throws {
        let pod = try KubeJSON.decode(Pod.self, from: Array(richPodJSON.utf8))
        #expect(pod.metadata.labels?["café"] == "crème 🚀")
        #expect(pod.metadata.annotations?["note"] == "line\nbreak \"quoted\" \\ tab\t")
        #expect(pod.metadata.deletionTimestamp == nil)
        #expect(pod.metadata.unknownFields.keys == ["selfLink"])
        #expect(pod.metadata.ownerReferences?.first?.unknownFields["futureRef"] == 1)
        let container = try #require(pod.spec?.containers.first)
        #expect(container.name == "server")  // the key was written "n\u0061me"
        #expect(container.unknownFields.keys == ["volumeMounts"])
        #expect(container.env?[1].unknownFields.keys == ["valueFrom"])
        #expect(container.resources?.requests?["memory"] == Quantity(1_073_741_824))
        #expect(container.resources?.limits?["nvidia.com/gpu"] == Quantity(1))
        #expect(pod.spec?.affinity == ["nodeAffinity": ["weights": [1, .number(JSONNumber("2.50")!), .number(JSONNumber("-3e2")!)]]])
        #expect(pod.spec?.unknownFields.keys == ["dnsPolicy"])
        #expect(pod.status?.unknownFields.keys == ["hostIPs"])
        #expect(pod.status?.conditions?.map(\.unknownFields.keys) == [["lastProbeTime"], []])
        #expect(pod.status?.conditions?[1].reason == nil)
        #expect(pod.status?.containerStatuses?.first?.unknownFields.keys == ["state", "imageID"])
        #expect(pod.unknownFields.keys == ["futureTopLevel"])
        // A read-modify-write sends every unknown field back, nulls and number text included.
        let written = try KubeJSON.parse(KubeJSON.encode(pod))
        #expect(written["metadata"]?["selfLink"] == "/api/v1/namespaces/ml/pods/llm-0")
        #expect(written["status"]?["conditions"]?.arrayValue?.first?["lastProbeTime"] == .null)
        #expect(written["status"]?["hostIPs"] == [["ip": "10.1.13.71"]])
        #expect(written["spec"]?["affinity"]?["nodeAffinity"]?["weights"]?.description == "[1,2.50,-3e2]")
        #expect(written["futureTopLevel"] == ["enabled": true])
    }

    @Test func repeatedKeysKeepTheirFirstPlaceAndLastValue() throws {
        let text = #"{"metadata":{"name":"a","x":1,"name":"b","x":2,"y":3},"kind":"Pod","kind":"Pod2"}"#
        try expectSameBothWays(Pod.self, text)
        let pod = try KubeJSON.decode(Pod.self, from: Array(text.utf8))
        #expect(pod.metadata.name == "b" && pod.kind == "Pod2")
        #expect(pod.metadata.unknownFields.entries == [.init(key: "x", value: 2), .init(key: "y", value: 3)])
        // An escaped spelling of a key is the same key.
        let escaped = try KubeJSON.decode(Pod.self, from: Array(#"{"metadata":{"name":"a","n\u0061me":"b"}}"#.utf8))
        #expect(escaped.metadata.name == "b")
        // So is a canonically equivalent one, as with Swift's String equality.
        let composed = try KubeJSON.parse(Array(#"{"caf\u00e9":1,"cafe\u0301":2}"#.utf8))
        #expect(composed.objectValue?.count == 1 && composed["café"] == 2)
        // Large objects check with a set.
        let many = (0..<40).map { #""k\#($0)":\#($0)"# }.joined(separator: ",")
        let large = try KubeJSON.parse(Array("{\(many),\"k7\":\"last\"}".utf8))
        #expect(large.objectValue?.count == 40 && large["k7"] == "last" && large.objectValue?.keys.last == "k39")
    }

    @Test func errorsMatchTheDecodablePath() throws {
        let documents: [(String, String)] = [
            ("missing metadata", #"{"kind":"Pod"}"#),
            ("metadata not an object", #"{"metadata":[]}"#),
            ("name not a string", #"{"metadata":{"name":5}}"#),
            ("generation not an integer", #"{"metadata":{"generation":1.5}}"#),
            ("generation a string", #"{"metadata":{"generation":"1"}}"#),
            ("label not a string", #"{"metadata":{"labels":{"a":"b","c":null}}}"#),
            ("finalizer not a string", #"{"metadata":{"finalizers":["a",1]}}"#),
            ("containers missing", #"{"metadata":{},"spec":{}}"#),
            ("containers null", #"{"metadata":{},"spec":{"containers":null}}"#),
            ("container name missing", #"{"metadata":{},"spec":{"containers":[{"name":"a"},{"image":"x"}]}}"#),
            ("port out of range", #"{"metadata":{},"spec":{"containers":[{"name":"a","ports":[{"containerPort":4294967296}]}]}}"#),
            ("bad quantity", #"{"metadata":{},"spec":{"containers":[{"name":"a","resources":{"limits":{"cpu":"lots"}}}]}}"#),
            ("quantity of the wrong kind", #"{"metadata":{},"spec":{"containers":[{"name":"a","resources":{"limits":{"cpu":true}}}]}}"#),
            ("ready not a bool", #"{"metadata":{},"status":{"containerStatuses":[{"name":"a","ready":"yes","restartCount":0}]}}"#),
            ("timestamp not a string", #"{"metadata":{"creationTimestamp":0}}"#),
            ("conditions not an array", #"{"metadata":{},"status":{"conditions":{}}}"#),
        ]
        for (name, text) in documents {
            let bytes = Array(text.utf8)
            let direct = errorDescription(Pod.self) { try KubeJSON.decode(Pod.self, from: bytes) }
            let throughTree = errorDescription(Pod.self) { try KubeJSON.decode(Pod.self, from: KubeJSON.parse(bytes)) }
            #expect(direct != nil, "\(name)")
            #expect(direct == throughTree, "\(name)")
        }
        let event = Array(#"{"type":"RENAMED","object":{}}"#.utf8)
        #expect(errorDescription(WatchEvent<Pod>.self) { try KubeJSON.decode(WatchEvent<Pod>.self, from: event) }
            == errorDescription(WatchEvent<Pod>.self) { try KubeJSON.decode(WatchEvent<Pod>.self, from: KubeJSON.parse(event)) })
        let item = Array(#"{"items":[{"metadata":{}},{"metadata":{"uid":false}}]}"#.utf8)
        let listError = errorDescription(KubeList<Pod>.self) { try KubeJSON.decode(KubeList<Pod>.self, from: item) }
        #expect(listError?.contains(#"["items", "1", "metadata", "uid"]"#) == true)
        #expect(listError == errorDescription(KubeList<Pod>.self) { try KubeJSON.decode(KubeList<Pod>.self, from: KubeJSON.parse(item)) })
    }

    @Test func invalidJSONIsAParseErrorOnEitherPath() {
        let bytes = Array(#"{"metadata":{"name":"a"}"#.utf8)
        #expect(parseFailure { try KubeJSON.decode(Pod.self, from: bytes) } == "\(bytes.count): expected ',' or '}'")
    }

    @Test func quantitiesDecodeTheSameFromStringsAndNumbersAndRepeatedly() throws {
        for _ in 0..<3 {
            let node = try KubeJSON.decode(Node.self, from: Array(richNodeJSON.utf8))
            #expect(node.status?.capacity?["pods"] == Quantity(110))
            #expect(node.status?.capacity?["memory"]?.description == "87497132Ki")
            #expect(node.status?.allocatable?["cpu"]?.milliValue == 11_500)
            #expect(node.status?.allocatable?["memory"]?.description == "1e3")
        }
        let asNumber = try KubeJSON.decode(ResourceRequirements.self, from: Array(#"{"limits":{"cpu":2}}"#.utf8))
        let asString = try KubeJSON.decode(ResourceRequirements.self, from: Array(#"{"limits":{"cpu":"2"}}"#.utf8))
        #expect(asNumber == asString)
    }
}

@Suite struct JSONParserEdgeTests {
    @Test func stringsWithSpecialBytesAtEveryOffset() throws {
        // The parser scans eight bytes at a time; put each kind of special byte at every
        // position around those boundaries.
        for length in 0..<20 {
            let prefix = String(repeating: "a", count: length)
            #expect(try KubeJSON.parse(Array("\"\(prefix)\"".utf8)) == .string(prefix))
            #expect(try KubeJSON.parse(Array("\"\(prefix)\\\"x\"".utf8)) == .string(prefix + "\"x"))
            #expect(try KubeJSON.parse(Array("\"\(prefix)é\(prefix)\"".utf8)) == .string(prefix + "é" + prefix))
            #expect(parseFailure { try KubeJSON.parse(Array("\"\(prefix)\u{1F}zzzzzzzz\"".utf8)) } == "\(length + 1): control character in string")
            #expect(parseFailure { try KubeJSON.parse(Array("\"\(prefix)".utf8)) } == "\(length + 1): unterminated string")
        }
    }

    @Test func unicodeEscapes() throws {
        #expect(try KubeJSON.parse(Array(#""\u0041\u00e9\u20ac\ud83d\ude80""#.utf8)) == "Aé€🚀")
        // Lone surrogates, a high one before a non-surrogate escape, and a reversed pair.
        #expect(try KubeJSON.parse(Array(#""\udc00|\ud800\u0041|\ude80\ud83d""#.utf8)) == "\u{FFFD}|\u{FFFD}A|\u{FFFD}\u{FFFD}")
        #expect(try KubeJSON.parse(Array(#""\uD83D\uDE80""#.utf8)) == "🚀")
        let cases: [(String, Int, String)] = [
            (#""\u12G4""#, 5, "invalid \\u escape"),
            (#""\u12""#, 3, "truncated \\u escape"),
            (#""\ud83d\uZZZZ""#, 9, "invalid \\u escape"),
            (#""\"#, 2, "unterminated escape"),
            (#""a\qb""#, 4, "invalid escape"),
        ]
        for (text, offset, reason) in cases {
            #expect(parseFailure { try KubeJSON.parse(Array(text.utf8)) } == "\(offset): \(reason)", "\(text)")
        }
    }

    @Test func invalidUTF8IsRepaired() throws {
        let bytes: [UInt8] = [0x22, 0x61, 0xFF, 0x62, 0x22]
        #expect(try KubeJSON.parse(bytes) == "a\u{FFFD}b")
    }

    @Test func nestingUpToTheLimit() throws {
        let limit = 512
        let deepest = String(repeating: "[", count: limit) + String(repeating: "]", count: limit)
        #expect(try KubeJSON.parse(Array(deepest.utf8)).arrayValue?.count == 1)
        let tooDeep = String(repeating: #"{"a":"#, count: limit) + "[1]" + String(repeating: "}", count: limit)
        #expect(parseFailure { try KubeJSON.parse(Array(tooDeep.utf8)) } == "\(5 * limit): nesting too deep")
    }

    @Test func numbersKeepTheirText() throws {
        let text = #"[0,-0,1.50,1E+3,-2.5e-10,18446744073709551616,123456789012345678901234567890]"#
        let value = try KubeJSON.parse(Array(text.utf8))
        #expect(String(decoding: KubeJSON.serialize(value), as: UTF8.self) == text)
        for invalid in ["-", "01", "1.", ".5", "1e", "1e+", "+1", "0x10", "--1"] {
            #expect(throws: JSONParseError.self, "\(invalid)") { try KubeJSON.parse(Array(invalid.utf8)) }
        }
    }

    @Test func nonContiguousInputParsesToo() throws {
        let bytes = AnyCollection(Array(#"{"metadata":{"name":"p"}}"#.utf8))
        #expect(try KubeJSON.decode(Pod.self, from: bytes).metadata.name == "p")
        #expect(try KubeJSON.parse(bytes)["metadata"]?["name"] == "p")
    }
}

/// "offset: reason" of the `JSONParseError` that `body` throws, nil when it throws none.
private func parseFailure(_ body: () throws -> Any) -> String? {
    do {
        _ = try body()
        return nil
    } catch let error as JSONParseError {
        return "\(error.offset): \(error.reason)"
    } catch {
        return "not a parse error: \(error)"
    }
}
