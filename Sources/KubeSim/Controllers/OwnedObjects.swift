import KubeBackend

/// A controller's cache of one kind of dependents, indexed by their controller owner's uid.
struct OwnedObjects {
    private(set) var byKey: [ObjectKey: JSONValue] = [:]
    private var keysByOwner: [String: Set<ObjectKey>] = [:]

    /// Applies an event; returns the owner uids it touched (before and after).
    @discardableResult
    mutating func apply(_ kind: StoreEvent.Kind, _ object: JSONValue) -> Set<String> {
        let key = object.objectKey
        var touched = Set<String>()
        if let old = byKey[key], let owner = old.controllerUID {
            keysByOwner[owner]?.remove(key)
            if keysByOwner[owner]?.isEmpty == true { keysByOwner[owner] = nil }
            touched.insert(owner)
        }
        if kind == .deleted {
            byKey[key] = nil
        } else {
            byKey[key] = object
            if let owner = object.controllerUID {
                keysByOwner[owner, default: []].insert(key)
                touched.insert(owner)
            }
        }
        return touched
    }

    func owned(by uid: String) -> [JSONValue] {
        (keysByOwner[uid] ?? []).sorted().compactMap { byKey[$0] }
    }
}

/// The objects a controller manages, by key, with a lookup by uid.
struct ManagedObjects {
    private(set) var byKey: [ObjectKey: JSONValue] = [:]
    private var keyByUID: [String: ObjectKey] = [:]

    mutating func apply(_ kind: StoreEvent.Kind, _ object: JSONValue) {
        let key = object.objectKey
        if let old = byKey[key] { keyByUID[old.uid] = nil }
        if kind == .deleted {
            byKey[key] = nil
        } else {
            byKey[key] = object
            keyByUID[object.uid] = key
        }
    }

    subscript(key: ObjectKey) -> JSONValue? { byKey[key] }

    func key(forUID uid: String) -> ObjectKey? { keyByUID[uid] }
}
