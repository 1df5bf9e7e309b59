/// One stored object: its resource and where it lives in it.
struct ObjectRef: Hashable {
    let resource: ResourceKey
    let key: ObjectKey
}

/// The objects that name each owner uid in their ownerReferences, kept up to date by every
/// store write, so that deleting an owner finds its dependents without a scan.
struct DependentIndex {
    private var byOwner: [String: Set<ObjectRef>] = [:]

    /// The dependents of `ownerUID`, by resource then key: the order the collector
    /// deletes them in, the same on every run.
    func of(_ ownerUID: String) -> [ObjectRef] {
        (byOwner[ownerUID] ?? []).sorted {
            $0.resource.description != $1.resource.description ? $0.resource.description < $1.resource.description : $0.key < $1.key
        }
    }

    /// Records that `object` now names the owners `new` (none once deleted), where it named `old`.
    mutating func update(_ object: ObjectRef, from old: [String], to new: [String]) {
        guard old != new else { return }
        for uid in old where !new.contains(uid) {
            byOwner[uid]?.remove(object)
            if byOwner[uid]?.isEmpty == true { byOwner[uid] = nil }
        }
        for uid in new where !old.contains(uid) {
            byOwner[uid, default: []].insert(object)
        }
    }
}
