import Foundation
@testable import KubeBackend
import Testing

/// Workload objects with every field the models have set, unknown fields at several
/// levels, escapes and text beyond ASCII: what the direct writers must write exactly as
/// `Encodable` does.
private let fullMetadataJSON = #"""
{
  "name": "t", "generateName": "llm-", "namespace": "ml", "uid": "93ee", "resourceVersion": "7", "generation": 3,
  "labels": {"app": "llm", "caf\u00e9": "cr\u00e8me \ud83d\ude80"},
  "annotations": {"fleet.io/record": "{\"id\":\"d-1\",\"note\":\"tab\\t\"}", "control": "\u0001\u001f"},
  "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "llm", "uid": "f47a",
                       "controller": true, "blockOwnerDeletion": false, "futureRef": [1, "x"]}],
  "finalizers": ["a/b", "c"],
  "creationTimestamp": "2026-11-29T08:55:02Z", "deletionTimestamp": "2026-11-29T09:00:00Z",
  "deletionGracePeriodSeconds": 30,
  "managedFields": [{"manager": "fleetd", "fieldsV1": {"f:spec": {}}}],
  "selfLink": "/x"
}
"""#

private let fullContainerJSON = #"""
{
  "name": "server", "image": "registry.example/llm:2.1", "command": ["python", "-m"], "args": ["--port", "8080"],
  "env": [{"name": "MODEL", "value": "llama \"70b\""}, {"name": "IP", "valueFrom": {"fieldRef": {"fieldPath": "status.podIP"}}}],
  "ports": [{"name": "http", "containerPort": 8080, "protocol": "TCP", "hostPort": 80}],
  "resources": {"requests": {"cpu": "500m", "memory": "1Gi"}, "limits": {"memory": "16Gi", "nvidia.com/gpu": "1"}, "claims": []},
  "imagePullPolicy": "IfNotPresent",
  "volumeMounts": [{"name": "cache", "mountPath": "/cache"}]
}
"""#

private let fullPodTemplateJSON = #"""
{
  "metadata": \#(fullMetadataJSON),
  "spec": {
    "containers": [\#(fullContainerJSON)],
    "initContainers": [\#(fullContainerJSON), {"name": "fetch", "image": "busybox"}],
    "nodeName": "gke-a100-00xp",
    "nodeSelector": {"fleet.io/accelerator": "nvidia-a100"},
    "tolerations": [{"key": "nvidia.com/gpu", "operator": "Exists", "value": "", "effect": "NoSchedule", "tolerationSeconds": 300}],
    "affinity": {"nodeAffinity": {"weights": [1, 2.50, -3e2]}},
    "priorityClassName": "fleet-high", "priority": 1000000, "restartPolicy": "Always",
    "serviceAccountName": "runner", "schedulerName": "default-scheduler", "terminationGracePeriodSeconds": 30,
    "dnsPolicy": "ClusterFirst"
  },
  "futureTemplateField": null
}
"""#

private let fullDeploymentJSON = #"""
{
  "apiVersion": "apps/v1", "kind": "Deployment",
  "metadata": \#(fullMetadataJSON),
  "spec": {
    "replicas": 2,
    "selector": {"matchLabels": {"app": "llm"}, "matchExpressions": [{"key": "tier", "operator": "In", "values": ["a", "b"], "x": 1}]},
    "template": \#(fullPodTemplateJSON),
    "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": 0}},
    "minReadySeconds": 5, "revisionHistoryLimit": 10, "paused": false, "progressDeadlineSeconds": 600,
    "futureSpecField": 9007199254740993
  },
  "status": {"observedGeneration": 3, "replicas": 2, "updatedReplicas": 2, "readyReplicas": 1, "availableReplicas": 1,
             "unavailableReplicas": 1, "conditions": [{"type": "Available", "status": "True"}], "collisionCount": 0},
  "futureTopLevel": {"enabled": true}
}
"""#

private let fullJobSpecJSON = #"""
{
  "parallelism": 2, "completions": 4, "activeDeadlineSeconds": 3600, "backoffLimit": 3,
  "selector": {"matchLabels": {"job": "train"}, "matchExpressions": [{"key": "k", "operator": "Exists", "values": []}]},
  "manualSelector": true,
  "template": \#(fullPodTemplateJSON),
  "ttlSecondsAfterFinished": 100, "completionMode": "Indexed", "suspend": false, "podFailurePolicy": {"rules": []}
}
"""#

private let fullJobJSON = #"""
{
  "apiVersion": "batch/v1", "kind": "Job", "metadata": \#(fullMetadataJSON),
  "spec": \#(fullJobSpecJSON),
  "status": {"conditions": [{"type": "Complete", "status": "True"}], "startTime": "2026-11-29T08:55:02Z",
             "completionTime": "2026-11-29T09:55:02Z", "active": 0, "succeeded": 4, "failed": 1, "ready": 0}
}
"""#

private let fullCronJobJSON = #"""
{
  "apiVersion": "batch/v1", "kind": "CronJob", "metadata": \#(fullMetadataJSON),
  "spec": {
    "schedule": "0 3 * * *", "timeZone": "Etc/UTC", "startingDeadlineSeconds": 200, "concurrencyPolicy": "Forbid",
    "suspend": true, "jobTemplate": {"metadata": \#(fullMetadataJSON), "spec": \#(fullJobSpecJSON), "x": 2},
    "successfulJobsHistoryLimit": 3, "failedJobsHistoryLimit": 1
  },
  "status": {"active": [], "lastScheduleTime": "2026-11-29T03:00:00Z", "lastSuccessfulTime": "2026-11-29T03:10:00Z"}
}
"""#

@Suite struct JSONDirectEncodingTests {
    /// The bytes `KubeJSON.encode` writes for `value`, and those of its `Encodable`
    /// conformance through the tree encoder. One instance is encoded both ways, so its
    /// dictionaries iterate in the same order.
    private func bothWays<T: Encodable>(_ value: T) throws -> (direct: String, throughEncodable: String) {
        let direct = try KubeJSON.encode(value)
        let tree = JSONWriter.serialize(try JSONValueEncoder.encode(value, codingPath: []))
        return (String(decoding: direct, as: UTF8.self), String(decoding: tree, as: UTF8.self))
    }

    @Test func workloadsAreWrittenByteForByteAsEncodableWritesThem() throws {
        let deployment = try KubeJSON.decode(Deployment.self, from: Array(fullDeploymentJSON.utf8))
        let job = try KubeJSON.decode(Job.self, from: Array(fullJobJSON.utf8))
        let cronJob = try KubeJSON.decode(CronJob.self, from: Array(fullCronJobJSON.utf8))
        // The fixtures must set every field; a field added to a model shows up here until
        // the fixture (and with it the comparison below) covers it.
        #expect(unsetProperties(of: deployment, descendingInto: { $0 is any JSONObjectEncodable }) == [])
        #expect(unsetProperties(of: job, descendingInto: { $0 is any JSONObjectEncodable }) == [])
        #expect(unsetProperties(of: cronJob, descendingInto: { $0 is any JSONObjectEncodable }) == [])

        for (direct, throughEncodable) in [try bothWays(deployment), try bothWays(job), try bothWays(cronJob)] {
            #expect(direct == throughEncodable)
        }
        let written = try bothWays(deployment).direct
        #expect(written.contains(#""annotations":{"#) && written.contains(#"{\"id\":\"d-1\",\"note\":\"tab\\t\"}"#))
        #expect(written.contains(#""control":"\u0001\u001f""#))
        #expect(written.hasSuffix(#""futureTopLevel":{"enabled":true}}"#))
        #expect(try KubeJSON.decode(Deployment.self, from: Array(written.utf8)) == deployment)
    }

    @Test func whatFleetdWritesIsWrittenAsEncodableWritesIt() throws {
        // Models as fleetd builds them: most fields nil, no unknown fields.
        let template = PodTemplateSpec(
            metadata: ObjectMeta(labels: ["app": "llm", "fleet.io/deployment-id": "d-1"]),
            spec: PodSpec(
                containers: [Container(name: "llm", image: "llm:1", env: [EnvVar(name: "A", value: "1")],
                                       ports: [ContainerPort(name: "http", containerPort: 8080)],
                                       resources: ResourceRequirements(requests: ["cpu": Quantity(milliValue: 500)], limits: [:]))],
                nodeSelector: ["pool": "a100"], tolerations: [Toleration(key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule")],
                priorityClassName: "fleet-high"))
        let deployment = Deployment(
            metadata: ObjectMeta(name: "llm", namespace: "ml", annotations: ["fleet.io/record": #"{"a":"b"}"#]),
            spec: DeploymentSpec(replicas: 1, selector: LabelSelector(matchLabels: ["fleet.io/deployment-id": "d-1"]), template: template))
        let ways = try bothWays(deployment)
        #expect(ways.direct == ways.throughEncodable)
        let empty = try bothWays(ObjectMeta())
        #expect(empty.direct == "{}" && empty.throughEncodable == "{}")
    }

    @Test func anUnknownFieldNamedLikeACodingKeyIsDroppedOnlyWhenTheFieldIsSet() throws {
        var meta = ObjectMeta(name: "set")
        meta.unknownFields = ["name": "shadowed", "namespace": "only-here", "extra": 1]
        let ways = try bothWays(meta)
        #expect(ways.direct == ways.throughEncodable)
        #expect(ways.direct == #"{"name":"set","namespace":"only-here","extra":1}"#)
    }

    @Test func stringsAreEscapedAsJSONRequires() {
        var output: [UInt8] = []
        JSONWriter.writeString("plain \"q\" \\ \n\r\t\u{08}\u{0C}\u{1F} é 🚀 end", into: &output)
        #expect(String(decoding: output, as: UTF8.self) == #""plain \"q\" \\ \n\r\t\u0008\u000c\u001f é 🚀 end""#)
        output.removeAll()
        JSONWriter.writeString("", into: &output)
        #expect(output == Array(#""""#.utf8))
    }
}
