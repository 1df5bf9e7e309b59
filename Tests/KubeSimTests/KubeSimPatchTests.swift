import KubeBackend
@testable import KubeSim
import Testing

@Suite struct KubeSimPatchTests {
    @Test func mergePatchDeletesWithNullAndReplacesLists() {
        let target: JSONValue = ["a": 1, "b": ["c": 2, "d": 3], "list": [1, 2]]
        let patched = MergePatch.apply(["b": ["c": nil, "e": 4], "list": [3]], to: target)
        #expect(patched == ["a": 1, "b": ["d": 3, "e": 4], "list": [3]])
    }

    @Test func strategicMergeMergesContainersByNameAndHonoursDeleteDirective() {
        let target: JSONValue = ["spec": ["containers": [["name": "a", "image": "a:1"], ["name": "b", "image": "b:1"]]]]
        let patch: JSONValue = ["spec": ["containers": [["name": "a", "image": "a:2"], ["name": "b", "$patch": "delete"], ["name": "c", "image": "c:1"]]]]
        let patched = StrategicMergePatch.apply(patch, to: target)
        #expect(patched == ["spec": ["containers": [["name": "a", "image": "a:2"], ["name": "c", "image": "c:1"]]]])
    }

    @Test func jsonPatchRunsEveryOperation() throws {
        let target: JSONValue = ["metadata": ["labels": ["a": "1"]], "items": [1, 2, 3]]
        let patch: JSONValue = [
            ["op": "test", "path": "/metadata/labels/a", "value": "1"],
            ["op": "add", "path": "/metadata/labels/b~1c", "value": "2"],
            ["op": "remove", "path": "/items/0"],
            ["op": "add", "path": "/items/-", "value": 4],
            ["op": "replace", "path": "/items/0", "value": 9],
            ["op": "copy", "from": "/items", "path": "/copied"],
            ["op": "move", "from": "/metadata/labels/a", "path": "/moved"],
        ]
        let patched = try JSONPatch.apply(patch, to: target)
        #expect(patched == ["metadata": ["labels": ["b/c": "2"]], "items": [9, 3, 4], "copied": [9, 3, 4], "moved": "1"])
        #expect(throws: JSONPatch.Failure.self) { try JSONPatch.apply([["op": "test", "path": "/items", "value": 1]], to: target) }
        #expect(throws: JSONPatch.Failure.self) { try JSONPatch.apply([["op": "remove", "path": "/missing"]], to: target) }
    }

    @Test func applyConfigurationsParseFromYAMLWithTypedScalars() throws {
        let document = try YAMLDocument.parse(Array("a: 1\nb: \"1\"\nc: true\nd: null\ne: [x, 2.5]\n".utf8))
        #expect(document == ["a": 1, "b": "1", "c": true, "d": nil, "e": ["x", 2.5]])
    }
}
