/// fleetd's stored records (the `fleet.io/record` annotation, the state store's entries)
/// written with KubeJSON, in the form Fleet's `RecordCoding` reads back: the same keys,
/// and dates as seconds since 1970. Foundation's JSONEncoder cost as much per Deploy as
/// encoding the whole Deployment object.
enum RecordJSON {
    static func encode<T: Encodable>(_ record: T) throws -> String {
        String(decoding: try KubeJSON.encode(record), as: UTF8.self)
    }
}
