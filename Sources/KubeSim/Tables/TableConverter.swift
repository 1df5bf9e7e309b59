import Foundation
import KubeBackend

/// Turns objects into the meta.k8s.io Table that `kubectl get` asks for with
/// `Accept: application/json;as=Table;v=v1;g=meta.k8s.io`.
struct TableConverter: Sendable {
    /// What each row carries besides its cells (the `includeObject` query parameter).
    enum IncludeObject: String, Sendable {
        case none = "None", metadata = "Metadata", object = "Object"
    }

    let type: ResourceType
    /// "v1" or "v1beta1": the meta.k8s.io version the client asked for.
    let version: String
    let includeObject: IncludeObject
    let now: @Sendable () -> Date

    init(type: ResourceType, version: String, includeObject: String?, now: @escaping @Sendable () -> Date) throws(APIError) {
        self.type = type
        self.version = version
        guard let include = IncludeObject(rawValue: includeObject ?? "Metadata") else {
            throw APIError.badRequest("includeObject: Unsupported value: \"\(includeObject ?? "")\": supported values: \"None\", \"Metadata\", \"Object\"")
        }
        self.includeObject = include
        self.now = now
    }

    var contentType: String { "application/json;as=Table;v=\(version);g=meta.k8s.io" }

    /// A Table of `objects`; `metadata` is the list's metadata (resourceVersion, continue).
    func table(_ objects: [JSONValue], metadata: JSONObject, headers: Bool = true) -> JSONValue {
        let printer = Self.printer(for: type.kind)
        let time = now()
        let rows = objects.map { object -> JSONValue in
            var row: JSONObject = ["cells": .array(printer.cells(object, time))]
            switch includeObject {
            case .none: break
            case .metadata:
                row["object"] = ["kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": object["metadata"] ?? [:]]
            case .object:
                var full = object
                full.setField("kind", .string(type.kind))
                full.setField("apiVersion", .string(type.apiVersion))
                row["object"] = full.inServerFieldOrder()
            }
            return .object(row)
        }
        return ["kind": "Table", "apiVersion": .string("meta.k8s.io/\(version)"), "metadata": .object(metadata),
                "columnDefinitions": headers ? .array(printer.columns.map(\.json)) : .null, "rows": .array(rows)]
    }

    static func printer(for kind: String) -> TablePrinter {
        switch kind {
        case "Pod": return CoreTablePrinters.pod
        case "Node": return CoreTablePrinters.node
        case "Namespace": return CoreTablePrinters.namespace
        case "Service": return CoreTablePrinters.service
        case "ConfigMap": return CoreTablePrinters.configMap
        case "ResourceQuota": return CoreTablePrinters.resourceQuota
        case "Event": return CoreTablePrinters.event
        case "Deployment": return WorkloadTablePrinters.deployment
        case "ReplicaSet": return WorkloadTablePrinters.replicaSet
        case "Job": return WorkloadTablePrinters.job
        case "CronJob": return WorkloadTablePrinters.cronJob
        case "Ingress": return WorkloadTablePrinters.ingress
        case "PriorityClass": return WorkloadTablePrinters.priorityClass
        case "Lease": return WorkloadTablePrinters.lease
        default: return defaultPrinter
        }
    }

    private static let defaultPrinter = TablePrinter(columns: [.name, .age]) { object, now in
        [.string(object.metadataString("name") ?? ""), .string(HumanDuration.since(object["metadata"]?["creationTimestamp"], now: now))]
    }
}
