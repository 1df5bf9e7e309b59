import Foundation
import KubeBackend

/// One column of a meta.k8s.io Table; priority 1 columns show only with `-o wide`.
struct TableColumn: Sendable {
    let name: String
    let type: String
    let format: String
    let description: String
    let priority: Int

    /// A column of another type than string: "integer", "boolean".
    init(_ name: String, _ type: String, _ description: String, priority: Int = 0) {
        self.name = name
        self.type = type
        format = ""
        self.description = description
        self.priority = priority
    }

    init(_ name: String, format: String = "", _ description: String, priority: Int = 0) {
        self.name = name
        type = "string"
        self.format = format
        self.description = description
        self.priority = priority
    }

    var json: JSONValue {
        ["name": .string(name), "type": .string(type), "format": .string(format),
         "description": .string(description), "priority": .number(JSONNumber(priority))]
    }

    static let name = TableColumn("Name", format: "name", "Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated.")
    static let age = TableColumn("Age", "CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.")
    static let containers = TableColumn("Containers", "Names of each container in the template.", priority: 1)
    static let images = TableColumn("Images", "Images referenced by each container in the template.", priority: 1)
    static let selector = TableColumn("Selector", "The label selector of the pods this object manages.", priority: 1)
}

/// The columns of one kind and how to fill them from an object.
struct TablePrinter: Sendable {
    let columns: [TableColumn]
    let cells: @Sendable (_ object: JSONValue, _ now: Date) -> [JSONValue]
}
