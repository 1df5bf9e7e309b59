import Foundation
import KubeBackend
@testable import KubeSim
import Testing

private let catalog = ResourceCatalog.builtin
private let pods = catalog.type(group: "", version: "v1", resource: "pods")!
private let namespaces = catalog.type(group: "", version: "v1", resource: "namespaces")!
private let deployments = catalog.type(group: "apps", version: "v1", resource: "deployments")!
private let configMaps = catalog.type(group: "", version: "v1", resource: "configmaps")!
private let replicaSets = catalog.type(group: "apps", version: "v1", resource: "replicasets")!

private func makeStore(historyCapacity: Int = 100) throws -> ObjectStore {
    let store = ObjectStore(historyCapacity: historyCapacity)
    for name in ["default", "team-a"] { try store.create(namespaces, namespace: nil, ["metadata": ["name": .string(name)]]) }
    return store
}

private func pod(_ name: String, labels: JSONValue = [:], phase: String = "Pending", node: String? = nil) -> JSONValue {
    var spec: JSONObject = ["containers": [["name": "main", "image": "busybox"]]]
    if let node { spec["nodeName"] = .string(node) }
    return ["metadata": ["name": .string(name), "labels": labels], "spec": .object(spec), "status": ["phase": .string(phase)]]
}

private func version(_ object: JSONValue) -> Int64 { Int64(object["metadata"]?["resourceVersion"]?.stringValue ?? "") ?? -1 }

private func names(_ items: [JSONValue]) -> [String] { items.compactMap { $0["metadata"]?["name"]?.stringValue } }

/// Collects what a watch delivers.
private final class Recorder: @unchecked Sendable {
    private let lock = NSLock()
    private var messages: [WatchMessage] = []
    func record(_ message: WatchMessage) { lock.withLock { messages.append(message) } }
    var events: [(String, String)] {
        lock.withLock {
            messages.compactMap {
                if case .event(let type, let object, _) = $0 { return (type.rawValue, object["metadata"]?["name"]?.stringValue ?? "") }
                return nil
            }
        }
    }
    var bookmarks: [(Int64, Bool)] {
        lock.withLock {
            messages.compactMap {
                if case .bookmark(let version, let end) = $0 { return (version, end) }
                return nil
            }
        }
    }
}

@Suite struct ObjectUIDTests {
    /// Lower-case RFC 4122 version 4 UUIDs, as the apiserver gives `metadata.uid`, and
    /// Foundation reads them back as UUIDs.
    @Test func uidsAreRandomVersion4UUIDs() {
        let uids = (0..<2000).map { _ in ObjectUID.make() }
        #expect(Set(uids).count == uids.count)
        for uid in uids.prefix(200) {
            let characters = Array(uid)
            #expect(characters.count == 36)
            #expect([8, 13, 18, 23].allSatisfy { characters[$0] == "-" })
            #expect(characters[14] == "4", "version 4: \(uid)")
            #expect("89ab".contains(characters[19]), "RFC 4122 variant: \(uid)")
            #expect(uid == uid.lowercased())
            #expect(UUID(uuidString: uid)?.uuidString.lowercased() == uid)
        }
    }
}

@Suite struct KubeSimStoreTests {
    @Test func everyWriteGetsAHigherResourceVersionAndServerMetadata() throws {
        let store = try makeStore()
        let created = try store.create(pods, namespace: "default", pod("a"))
        let second = try store.create(pods, namespace: "default", pod("b"))
        #expect(version(second) > version(created))
        #expect(created["metadata"]?["uid"]?.stringValue?.count == 36)
        #expect(created["metadata"]?["uid"] != second["metadata"]?["uid"])
        #expect(created["metadata"]?["creationTimestamp"]?.stringValue?.hasSuffix("Z") == true)
        #expect(created["metadata"]?["namespace"] == "default")
        #expect(created["kind"] == "Pod")
        #expect(created["metadata"]?["generation"] == 1)

        var changed = created
        changed.setMetadata("labels", ["x": "y"])
        let relabelled = try store.update(pods, namespace: "default", name: "a", changed)
        #expect(version(relabelled) > version(second))
        #expect(relabelled["metadata"]?["generation"] == 1, "a metadata change leaves generation alone")

        var respecced = relabelled
        respecced.setField("spec", ["containers": [["name": "main", "image": "busybox:2"]]])
        let updated = try store.update(pods, namespace: "default", name: "a", respecced)
        #expect(updated["metadata"]?["generation"] == 2)
        #expect(store.currentResourceVersion == version(updated))

        let list = try store.list(pods)
        #expect(list.resourceVersion == store.currentResourceVersion)
    }

    @Test func staleResourceVersionConflictsAndNoOpUpdateKeepsVersion() throws {
        let store = try makeStore()
        let created = try store.create(pods, namespace: "default", pod("a"))
        var first = created
        first.setMetadata("labels", ["n": "1"])
        try store.update(pods, namespace: "default", name: "a", first)
        var stale = created
        stale.setMetadata("labels", ["n": "2"])
        #expect(throws: APIError.conflict(pods, name: "a")) { try store.update(pods, namespace: "default", name: "a", stale) }

        let current = try store.get(pods, namespace: "default", name: "a")
        let same = try store.update(pods, namespace: "default", name: "a", current)
        #expect(version(same) == version(current))
        #expect(throws: APIError.alreadyExists(pods, name: "a")) { try store.create(pods, namespace: "default", pod("a")) }
        #expect(throws: APIError.notFound(namespaces, name: "nowhere")) { try store.create(pods, namespace: "nowhere", pod("a")) }
    }

    @Test func generateNameMakesAUniqueName() throws {
        let store = try makeStore()
        let created = try store.create(configMaps, namespace: "default", ["metadata": ["generateName": "cfg-"]])
        let name = try #require(created["metadata"]?["name"]?.stringValue)
        #expect(name.hasPrefix("cfg-") && name.count == 9)
        #expect(created["metadata"]?["generation"] == nil, "ConfigMaps have no generation")
    }

    @Test func labelSelectorsSupportEveryOperator() throws {
        let store = try makeStore()
        try store.create(pods, namespace: "default", pod("web", labels: ["app": "web", "tier": "front"]))
        try store.create(pods, namespace: "default", pod("api", labels: ["app": "api", "tier": "back"]))
        try store.create(pods, namespace: "default", pod("batch", labels: ["app": "batch"]))
        func select(_ selector: String) throws -> [String] {
            names(try store.list(pods, .init(labels: try LabelQuery(parsing: selector))).items)
        }
        #expect(try select("app=web") == ["web"])
        #expect(try select("app==api") == ["api"])
        #expect(try select("app!=web") == ["api", "batch"])
        #expect(try select("app in (web, api)") == ["api", "web"])
        #expect(try select("app notin (web)") == ["api", "batch"])
        #expect(try select("tier") == ["api", "web"])
        #expect(try select("!tier") == ["batch"])
        #expect(try select("tier!=front") == ["api", "batch"], "!= matches objects without the label")
        #expect(try select("app in (web,api),tier=back") == ["api"])
        #expect(try select("  app in ( web , api ) ,  tier = back  ") == ["api"], "spaces around clauses, values and operators")
        #expect(throws: APIError.self) { try LabelQuery(parsing: "app in web") }
        #expect(throws: APIError.self) { try LabelQuery(parsing: "-bad-=x") }
    }

    @Test func labelKeysAndValuesFollowTheApiserversRules() {
        for key in ["app", "a", "app.kubernetes.io/name", "fleet.io/reservation", "A_b-c.D9", String(repeating: "k", count: 63)] {
            #expect(LabelQuery.isValidKey(key), "\(key)")
        }
        for key in ["", "-app", "app-", "a/b/c", "Bad.Prefix/name", "caf\u{e9}", "a\u{301}", "sp ace", String(repeating: "k", count: 64), "/name"] {
            #expect(!LabelQuery.isValidKey(key), "\(key)")
        }
        for value in ["", "v1", "NVIDIA-A100_40GB.x"] { #expect(LabelQuery.isValidValue(value), "\(value)") }
        for value in ["-v", "v-", "\u{1F680}", "a b", String(repeating: "v", count: 64)] { #expect(!LabelQuery.isValidValue(value), "\(value)") }
    }

    @Test func fieldSelectorsReadNameNamespaceNodeAndPhase() throws {
        let store = try makeStore()
        try store.create(pods, namespace: "default", pod("a", phase: "Running", node: "n1"))
        try store.create(pods, namespace: "default", pod("b", phase: "Pending"))
        try store.create(pods, namespace: "team-a", pod("c", phase: "Running", node: "n2"))
        func select(_ selector: String) throws -> [String] {
            names(try store.list(pods, .init(fields: try FieldQuery(parsing: selector, for: pods))).items)
        }
        #expect(try select("metadata.name=b") == ["b"])
        #expect(try select("metadata.namespace=team-a") == ["c"])
        #expect(try select("spec.nodeName=n1") == ["a"])
        #expect(try select("spec.nodeName=") == ["b"], "a missing field reads as empty")
        #expect(try select("status.phase=Running,metadata.namespace!=team-a") == ["a"])
        #expect(throws: APIError.badRequest("field label not supported: spec.bogus")) { try FieldQuery(parsing: "spec.bogus=1", for: pods) }
    }

    @Test func paginationWalksAConsistentSnapshot() throws {
        let store = try makeStore()
        for index in 0..<5 { try store.create(configMaps, namespace: "default", ["metadata": ["name": .string("cm-\(index)")]]) }
        let first = try store.list(configMaps, .init(namespace: "default", limit: 2))
        #expect(names(first.items) == ["cm-0", "cm-1"])
        #expect(first.remainingItemCount == 3)
        let token = try #require(first.continueToken)

        // Changes after the first page do not show in later pages of the same list.
        try store.delete(configMaps, namespace: "default", name: "cm-3")
        try store.create(configMaps, namespace: "default", ["metadata": ["name": "cm-9"]])
        let second = try store.list(configMaps, .init(namespace: "default", limit: 2, continueToken: token))
        #expect(names(second.items) == ["cm-2", "cm-3"])
        #expect(second.resourceVersion == first.resourceVersion)
        #expect(second.continueToken != nil)
        let third = try store.list(configMaps, .init(namespace: "default", limit: 2, continueToken: second.continueToken))
        #expect(names(third.items) == ["cm-4"])
        #expect(third.continueToken == nil)
    }

    @Test func continueTokenOlderThanHistoryIsExpired() throws {
        let store = try makeStore(historyCapacity: 3)
        for index in 0..<3 { try store.create(configMaps, namespace: "default", ["metadata": ["name": .string("cm-\(index)")]]) }
        let page = try store.list(configMaps, .init(limit: 1))
        for index in 3..<8 { try store.create(configMaps, namespace: "default", ["metadata": ["name": .string("cm-\(index)")]]) }
        #expect(throws: APIError.expiredContinue) {
            try store.list(configMaps, .init(limit: 1, continueToken: page.continueToken))
        }
        #expect(APIError.expiredContinue.code == 410)
        #expect(throws: APIError.self) { try store.list(configMaps, .init(continueToken: "not-a-token")) }
    }

    @Test func watchResumesFromAResourceVersionInOrder() throws {
        let store = try makeStore()
        let created = try store.create(pods, namespace: "default", pod("a"))
        var changed = created
        changed.setMetadata("labels", ["x": "1"])
        try store.update(pods, namespace: "default", name: "a", changed)
        let recorder = Recorder()
        let registration = try store.watch(WatchRequest(type: pods, namespace: "default", resourceVersion: version(created))) { recorder.record($0) }
        try store.create(pods, namespace: "default", pod("b"))
        try store.create(pods, namespace: "team-a", pod("elsewhere"))
        try store.delete(pods, namespace: "default", name: "a")
        registration.cancel()
        try store.create(pods, namespace: "default", pod("after-cancel"))
        #expect(recorder.events.map { "\($0.0) \($0.1)" } == ["MODIFIED a", "ADDED b", "DELETED a"])
        #expect(store.watcherCount == 0)
    }

    @Test func watchWithoutResourceVersionStartsWithTheCurrentState() throws {
        let store = try makeStore()
        try store.create(pods, namespace: "default", pod("b"))
        try store.create(pods, namespace: "default", pod("a"))
        let recorder = Recorder()
        let registration = try store.watch(WatchRequest(type: pods, allowBookmarks: true, sendInitialEvents: true)) { recorder.record($0) }
        defer { registration.cancel() }
        #expect(recorder.events.map { "\($0.0) \($0.1)" } == ["ADDED a", "ADDED b"])
        #expect(recorder.bookmarks.map(\.1) == [true], "initial events end with a marked bookmark")
    }

    @Test func watchFromACompactedResourceVersionIsGone() throws {
        let store = try makeStore(historyCapacity: 2)
        let first = try store.create(configMaps, namespace: "default", ["metadata": ["name": "a"]])
        for name in ["b", "c", "d"] { try store.create(configMaps, namespace: "default", ["metadata": ["name": .string(name)]]) }
        #expect(throws: APIError.self) {
            try store.watch(WatchRequest(type: configMaps, resourceVersion: version(first))) { _ in }
        }
        do {
            _ = try store.watch(WatchRequest(type: configMaps, resourceVersion: version(first))) { _ in }
        } catch {
            #expect(error.code == 410)
            #expect(error.reason == "Expired")
            #expect(error.message.hasPrefix("too old resource version: \(version(first))"))
        }
        // The newest retained window still works.
        let registration = try store.watch(WatchRequest(type: configMaps, resourceVersion: store.compactedResourceVersion)) { _ in }
        registration.cancel()
    }

    @Test func selectorWatchTurnsLeavingIntoDeleted() throws {
        let store = try makeStore()
        let recorder = Recorder()
        let registration = try store.watch(WatchRequest(type: pods, labels: try LabelQuery(parsing: "app=web"), resourceVersion: store.currentResourceVersion)) { recorder.record($0) }
        defer { registration.cancel() }
        let created = try store.create(pods, namespace: "default", pod("p", labels: ["app": "web"]))
        var moved = created
        moved.setMetadata("labels", ["app": "api"])
        try store.update(pods, namespace: "default", name: "p", moved)
        #expect(recorder.events.map { "\($0.0) \($0.1)" } == ["ADDED p", "DELETED p"])
    }

    @Test func bookmarksGoOnlyToWatchersThatAskForThem() throws {
        let store = try makeStore()
        let withBookmarks = Recorder(), without = Recorder()
        let first = try store.watch(WatchRequest(type: pods, resourceVersion: store.currentResourceVersion, allowBookmarks: true)) { withBookmarks.record($0) }
        let second = try store.watch(WatchRequest(type: pods, resourceVersion: store.currentResourceVersion)) { without.record($0) }
        defer { first.cancel(); second.cancel() }
        try store.create(configMaps, namespace: "default", ["metadata": ["name": "unrelated"]])
        store.sendBookmarks()
        #expect(withBookmarks.bookmarks.map(\.0) == [store.currentResourceVersion])
        #expect(without.bookmarks.isEmpty)
    }

    @Test func deletingAnOwnerDeletesOrOrphansItsPods() throws {
        let store = try makeStore()
        let owner = try store.create(deployments, namespace: "default", ["metadata": ["name": "web"], "spec": [:]])
        let reference: JSONValue = [["apiVersion": "apps/v1", "kind": "Deployment", "name": "web", "uid": owner["metadata"]!["uid"]!, "controller": true]]
        for name in ["web-1", "web-2"] {
            var owned = pod(name)
            owned.setMetadata("ownerReferences", reference)
            try store.create(pods, namespace: "default", owned)
        }
        try store.create(pods, namespace: "default", pod("standalone"))
        try store.delete(deployments, namespace: "default", name: "web", propagation: .background)
        #expect(names(try store.list(pods).items) == ["standalone"])

        let orphanOwner = try store.create(deployments, namespace: "default", ["metadata": ["name": "kept"], "spec": [:]])
        var orphan = pod("kept-1")
        orphan.setMetadata("ownerReferences", [["apiVersion": "apps/v1", "kind": "Deployment", "name": "kept", "uid": orphanOwner["metadata"]!["uid"]!]])
        try store.create(pods, namespace: "default", orphan)
        try store.delete(deployments, namespace: "default", name: "kept", propagation: .orphan)
        let survivor = try store.get(pods, namespace: "default", name: "kept-1")
        #expect(survivor["metadata"]?["ownerReferences"] == nil)
    }

    @Test func theCollectorFollowsOwnerReferencesAsTheyAreNowAcrossGenerations() throws {
        let store = try makeStore()
        let owner = try store.create(deployments, namespace: "default", ["metadata": ["name": "web"], "spec": [:]])
        let uid = owner["metadata"]!["uid"]!
        let reference: JSONValue = [["apiVersion": "apps/v1", "kind": "Deployment", "name": "web", "uid": uid]]
        // A pod adopted after it was created, one released before the delete, and a
        // replica set between the deployment and its own pod.
        try store.create(pods, namespace: "default", pod("adopted"))
        try store.modify(pods, namespace: "default", name: "adopted") { old throws(APIError) -> JSONValue in
            var new = old
            new.setMetadata("ownerReferences", reference)
            return new
        }
        var released = pod("released")
        released.setMetadata("ownerReferences", reference)
        try store.create(pods, namespace: "default", released)
        try store.modify(pods, namespace: "default", name: "released") { old throws(APIError) -> JSONValue in
            var new = old
            new.setMetadata("ownerReferences", nil)
            return new
        }
        var replicaSet: JSONValue = ["metadata": ["name": "web-1"], "spec": [:]]
        replicaSet.setMetadata("ownerReferences", reference)
        let middle = try store.create(replicaSets, namespace: "default", replicaSet)
        var grandchild = pod("grandchild")
        grandchild.setMetadata("ownerReferences", [["apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "web-1", "uid": middle["metadata"]!["uid"]!]])
        try store.create(pods, namespace: "default", grandchild)

        try store.delete(deployments, namespace: "default", name: "web", propagation: .background)
        #expect(names(try store.list(pods).items) == ["released"])
        #expect(try store.list(replicaSets).items.isEmpty)
    }

    @Test func deletingANamespaceDeletesItsObjects() throws {
        let store = try makeStore()
        try store.create(pods, namespace: "team-a", pod("a"))
        try store.create(pods, namespace: "default", pod("b"))
        try store.delete(namespaces, namespace: nil, name: "team-a")
        #expect(try store.list(pods).items.count == 1)
        #expect(names(try store.list(pods).items) == ["b"])
        #expect(throws: APIError.notFound(pods, name: "a")) { try store.get(pods, namespace: "team-a", name: "a") }
        #expect(throws: APIError.notFound(namespaces, name: "team-a")) { try store.create(pods, namespace: "team-a", pod("late")) }
    }
}
