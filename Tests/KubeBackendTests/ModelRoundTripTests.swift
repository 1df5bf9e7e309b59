import Foundation
import KubeBackend
import Testing

/// A Deployment as an apiserver returns it, with fields the models have no
/// property for at every level (top, metadata, spec, pod template, container,
/// resources, env, status, condition).
let deploymentJSON = #"""
{
  "apiVersion": "apps/v1",
  "kind": "Deployment",
  "futureTopLevelField": {"enabled": true, "weights": [1, 2.5, -3e2]},
  "metadata": {
    "name": "llama-serving",
    "namespace": "team-ml",
    "uid": "0f6f6b8e-3e0a-4c55-9f3e-5c1c9d1b2a77",
    "resourceVersion": "918273",
    "generation": 4,
    "creationTimestamp": "2024-05-01T10:00:00Z",
    "labels": {"app.kubernetes.io/managed-by": "fleetd", "fleet.io/team": "ml"},
    "annotations": {"deployment.kubernetes.io/revision": "3", "note": "caf\u00e9 \ud83d\ude80 \"quoted\"\n"},
    "selfLink": "/apis/apps/v1/namespaces/team-ml/deployments/llama-serving",
    "managedFields": [
      {"manager": "fleetd", "operation": "Apply", "apiVersion": "apps/v1", "time": "2024-05-01T10:00:00Z",
       "fieldsType": "FieldsV1", "fieldsV1": {"f:spec": {"f:replicas": {}}}}
    ]
  },
  "spec": {
    "replicas": 2,
    "futureSpecField": 9007199254740993,
    "selector": {"matchLabels": {"app": "llama"}},
    "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": 0}},
    "revisionHistoryLimit": 10,
    "progressDeadlineSeconds": 600,
    "template": {
      "metadata": {"labels": {"app": "llama"}, "annotations": {"prometheus.io/scrape": "true"}},
      "spec": {
        "dnsPolicy": "ClusterFirst",
        "securityContext": {"runAsNonRoot": true, "fsGroup": 2000},
        "volumes": [{"name": "cache", "emptyDir": {"medium": "Memory", "sizeLimit": "1Gi"}}],
        "nodeSelector": {"fleet.io/accelerator": "nvidia-a100"},
        "tolerations": [
          {"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"},
          {"key": "fleet.io/reservation", "operator": "Equal", "value": "r-42", "effect": "NoSchedule"}
        ],
        "priorityClassName": "fleet-high",
        "containers": [{
          "name": "server",
          "image": "registry.example/llama:1.2",
          "args": ["--port", "8080"],
          "env": [
            {"name": "MODEL", "value": "llama-7b"},
            {"name": "POD_IP", "valueFrom": {"fieldRef": {"fieldPath": "status.podIP"}}}
          ],
          "ports": [{"name": "http", "containerPort": 8080, "protocol": "TCP", "hostIP": "0.0.0.0"}],
          "resources": {
            "requests": {"cpu": "500m", "memory": "1536Mi", "nvidia.com/gpu": "1"},
            "limits": {"cpu": "2", "memory": "2Gi", "nvidia.com/gpu": "1"},
            "claims": [{"name": "gpu-claim"}]
          },
          "livenessProbe": {"httpGet": {"path": "/healthz", "port": 8080}, "periodSeconds": 10},
          "volumeMounts": [{"name": "cache", "mountPath": "/cache"}]
        }]
      }
    }
  },
  "status": {
    "observedGeneration": 4,
    "replicas": 2,
    "readyReplicas": 1,
    "availableReplicas": 1,
    "collisionCount": 0,
    "conditions": [
      {"type": "Available", "status": "False", "reason": "MinimumReplicasUnavailable",
       "message": "Deployment does not have minimum availability.",
       "lastUpdateTime": "2024-05-01T10:00:05Z", "lastTransitionTime": "2024-05-01T10:00:05Z"}
    ]
  }
}
"""#

func jsonValue(_ text: String) throws -> JSONValue {
    try KubeJSON.parse(Array(text.utf8))
}

/// Decodes as `T`, encodes again, and checks the document means the same.
func expectRoundTrip<T: Codable>(_ type: T.Type, _ text: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
    let decoded = try KubeJSON.decode(T.self, from: Array(text.utf8))
    let encoded = try KubeJSON.encode(decoded)
    #expect(try KubeJSON.parse(encoded) == jsonValue(text), sourceLocation: sourceLocation)
}

@Suite struct ModelRoundTripTests {
    @Test func deploymentRoundTripsEveryField() throws {
        try expectRoundTrip(Deployment.self, deploymentJSON)
    }

    @Test func typedFieldsAreReadable() throws {
        let deployment = try KubeJSON.decode(Deployment.self, from: Array(deploymentJSON.utf8))
        #expect(deployment.metadata.name == "llama-serving")
        #expect(deployment.metadata.generation == 4)
        #expect(deployment.metadata.labels?["fleet.io/team"] == "ml")
        #expect(deployment.metadata.annotations?["note"] == "café 🚀 \"quoted\"\n")
        #expect(deployment.metadata.creationTimestamp?.date == Date(timeIntervalSince1970: 1_714_557_600))
        #expect(deployment.spec?.replicas == 2)
        let podSpec = try #require(deployment.spec?.template.spec)
        #expect(podSpec.nodeSelector == ["fleet.io/accelerator": "nvidia-a100"])
        #expect(podSpec.tolerations?.map(\.key) == ["nvidia.com/gpu", "fleet.io/reservation"])
        #expect(podSpec.priorityClassName == "fleet-high")
        let resources = try #require(podSpec.containers.first?.resources)
        #expect(resources.requests?["memory"] == Quantity(1536 * 1_048_576))
        #expect(resources.requests?["memory"]?.description == "1536Mi")
        #expect(resources.requests?["cpu"]?.milliValue == 500)
        #expect(resources.limits?["nvidia.com/gpu"] == Quantity(1))
        #expect(deployment.status?.conditions?.first?.isTrue == false)
        #expect(deployment.status?.readyReplicas == 1)
    }

    @Test func unknownFieldsAreKeptWhereTheyWere() throws {
        let deployment = try KubeJSON.decode(Deployment.self, from: Array(deploymentJSON.utf8))
        #expect(deployment.unknownFields.keys == ["futureTopLevelField"])
        #expect(deployment.metadata.unknownFields.keys == ["selfLink"])
        #expect(deployment.spec?.unknownFields["futureSpecField"] == .number(JSONNumber("9007199254740993")!))
        #expect(deployment.spec?.template.spec?.unknownFields.keys == ["dnsPolicy", "securityContext", "volumes"])
        let container = try #require(deployment.spec?.template.spec?.containers.first)
        #expect(container.unknownFields.keys == ["livenessProbe", "volumeMounts"])
        #expect(container.env?[1].unknownFields.keys == ["valueFrom"])
        #expect(container.ports?.first?.unknownFields["hostIP"] == "0.0.0.0")
        #expect(container.resources?.unknownFields.keys == ["claims"])
        #expect(deployment.status?.unknownFields.keys == ["collisionCount"])
        #expect(deployment.status?.conditions?.first?.unknownFields.keys == ["lastUpdateTime"])
    }

    @Test func readModifyWriteChangesOnlyWhatWasModified() throws {
        var deployment = try KubeJSON.decode(Deployment.self, from: Array(deploymentJSON.utf8))
        deployment.spec?.replicas = 5
        deployment.metadata.labels?["fleet.io/priority"] = "HIGH"
        deployment.spec?.template.spec?.containers[0].resources?.requests?["cpu"] = Quantity(milliValue: 750)

        var expected = try jsonValue(deploymentJSON).objectValue!
        var metadata = expected["metadata"]!.objectValue!
        var labels = metadata["labels"]!.objectValue!
        labels["fleet.io/priority"] = "HIGH"
        metadata["labels"] = .object(labels)
        expected["metadata"] = .object(metadata)
        var spec = expected["spec"]!.objectValue!
        spec["replicas"] = 5
        var template = spec["template"]!.objectValue!
        var podSpec = template["spec"]!.objectValue!
        var container = podSpec["containers"]!.arrayValue![0].objectValue!
        var resources = container["resources"]!.objectValue!
        var requests = resources["requests"]!.objectValue!
        requests["cpu"] = "750m"
        resources["requests"] = .object(requests)
        container["resources"] = .object(resources)
        podSpec["containers"] = [.object(container)]
        template["spec"] = .object(podSpec)
        spec["template"] = .object(template)
        expected["spec"] = .object(spec)

        #expect(try KubeJSON.parse(KubeJSON.encode(deployment)) == .object(expected))
    }

    @Test func aRoundTripThatDropsAFieldIsDetected() throws {
        // Guards the round-trip check itself: losing one nested unknown field must show.
        var deployment = try KubeJSON.decode(Deployment.self, from: Array(deploymentJSON.utf8))
        deployment.spec?.template.spec?.containers[0].unknownFields.removeValue(forKey: "livenessProbe")
        #expect(try KubeJSON.parse(KubeJSON.encode(deployment)) != jsonValue(deploymentJSON))
    }

    @Test func everyKindRoundTrips() throws {
        try expectRoundTrip(Namespace.self, #"""
        {"apiVersion":"v1","kind":"Namespace","metadata":{"name":"team-ml","labels":{"kubernetes.io/metadata.name":"team-ml"}},
         "spec":{"finalizers":["kubernetes"]},"status":{"phase":"Active","extra":1}}
        """#)
        try expectRoundTrip(Node.self, #"""
        {"apiVersion":"v1","kind":"Node","metadata":{"name":"gpu-node-1","labels":{"fleet.io/accelerator":"nvidia-a100"}},
         "spec":{"podCIDR":"10.0.1.0/24","providerID":"gce://p/z/gpu-node-1","taints":[{"key":"nvidia.com/gpu","value":"present","effect":"NoSchedule"}]},
         "status":{"capacity":{"cpu":"96","memory":"1056763Mi","nvidia.com/gpu":"8","pods":"110"},
                   "allocatable":{"cpu":"95690m","memory":"1045Gi","nvidia.com/gpu":"8","pods":"110"},
                   "conditions":[{"type":"Ready","status":"True","lastHeartbeatTime":"2024-05-01T10:00:00Z","reason":"KubeletReady"}],
                   "addresses":[{"type":"InternalIP","address":"10.128.0.7"}],
                   "nodeInfo":{"kubeletVersion":"v1.29.4","architecture":"amd64","operatingSystem":"linux","bootID":"b-1"},
                   "images":[{"names":["registry.example/llama:1.2"],"sizeBytes":123456789}]}}
        """#)
        try expectRoundTrip(Pod.self, #"""
        {"apiVersion":"v1","kind":"Pod","metadata":{"name":"llama-7d9f-abcde","namespace":"team-ml",
           "ownerReferences":[{"apiVersion":"apps/v1","kind":"ReplicaSet","name":"llama-7d9f","uid":"u-1","controller":true,"blockOwnerDeletion":true}]},
         "spec":{"nodeName":"gpu-node-1","containers":[{"name":"server","image":"x","resources":{"requests":{"cpu":"1"}}}],"hostNetwork":false},
         "status":{"phase":"Running","podIP":"10.0.1.5","qosClass":"Burstable","startTime":"2024-05-01T10:00:01Z",
                   "conditions":[{"type":"Ready","status":"True","lastProbeTime":null}],
                   "containerStatuses":[{"name":"server","ready":true,"restartCount":0,"started":true,"state":{"running":{"startedAt":"2024-05-01T10:00:02Z"}}}]}}
        """#)
        try expectRoundTrip(Job.self, #"""
        {"apiVersion":"batch/v1","kind":"Job","metadata":{"name":"train-1","namespace":"team-ml"},
         "spec":{"parallelism":2,"completions":4,"backoffLimit":6,"completionMode":"NonIndexed","suspend":false,"podFailurePolicy":{"rules":[]},
                 "template":{"spec":{"restartPolicy":"Never","containers":[{"name":"t","image":"x"}]}}},
         "status":{"active":2,"succeeded":1,"ready":2,"uncountedTerminatedPods":{},"startTime":"2024-05-01T10:00:00Z"}}
        """#)
        try expectRoundTrip(CronJob.self, #"""
        {"apiVersion":"batch/v1","kind":"CronJob","metadata":{"name":"nightly","namespace":"team-ml"},
         "spec":{"schedule":"0 3 * * *","timeZone":"Etc/UTC","concurrencyPolicy":"Forbid","successfulJobsHistoryLimit":3,
                 "jobTemplate":{"metadata":{"labels":{"a":"b"}},"spec":{"template":{"spec":{"containers":[{"name":"t","image":"x"}],"restartPolicy":"OnFailure"}}}}},
         "status":{"lastScheduleTime":"2024-05-01T03:00:00Z","active":[{"kind":"Job","name":"nightly-1","namespace":"team-ml","uid":"u-2","apiVersion":"batch/v1"}]}}
        """#)
        try expectRoundTrip(Service.self, #"""
        {"apiVersion":"v1","kind":"Service","metadata":{"name":"llama","namespace":"team-ml"},
         "spec":{"type":"ClusterIP","selector":{"app":"llama"},"clusterIP":"10.96.0.12","clusterIPs":["10.96.0.12"],"ipFamilies":["IPv4"],
                 "ports":[{"name":"http","protocol":"TCP","port":80,"targetPort":"http"},{"name":"grpc","port":9000,"targetPort":9001,"appProtocol":"grpc"}]},
         "status":{"loadBalancer":{}}}
        """#)
        try expectRoundTrip(Ingress.self, #"""
        {"apiVersion":"networking.k8s.io/v1","kind":"Ingress","metadata":{"name":"llama","namespace":"team-ml"},
         "spec":{"ingressClassName":"nginx","tls":[{"hosts":["llama.example"],"secretName":"llama-tls"}],
                 "rules":[{"host":"llama.example","http":{"paths":[{"path":"/v1","pathType":"Prefix","backend":{"service":{"name":"llama","port":{"number":80}}}}]}}]},
         "status":{"loadBalancer":{"ingress":[{"ip":"34.1.2.3","ports":[{"port":443,"protocol":"TCP"}]}]}}}
        """#)
        try expectRoundTrip(ResourceQuota.self, #"""
        {"apiVersion":"v1","kind":"ResourceQuota","metadata":{"name":"team-ml","namespace":"team-ml"},
         "spec":{"hard":{"requests.cpu":"64","requests.memory":"256Gi","requests.nvidia.com/gpu":"8","pods":"100"},
                 "scopeSelector":{"matchExpressions":[{"scopeName":"PriorityClass","operator":"In","values":["fleet-high"]}]}},
         "status":{"hard":{"requests.cpu":"64"},"used":{"requests.cpu":"12500m"}}}
        """#)
        try expectRoundTrip(PriorityClass.self, #"""
        {"apiVersion":"scheduling.k8s.io/v1","kind":"PriorityClass","metadata":{"name":"fleet-high"},
         "value":100000,"globalDefault":false,"description":"fleetd HIGH","preemptionPolicy":"PreemptLowerPriority"}
        """#)
        try expectRoundTrip(Lease.self, #"""
        {"apiVersion":"coordination.k8s.io/v1","kind":"Lease","metadata":{"name":"fleetd-leader","namespace":"fleet-system"},
         "spec":{"holderIdentity":"fleetd-0","leaseDurationSeconds":15,"acquireTime":"2024-05-01T10:00:00.000000Z",
                 "renewTime":"2024-05-01T10:00:10.123456Z","leaseTransitions":3,"strategy":"OldestEmulationVersion"}}
        """#)
        try expectRoundTrip(ConfigMap.self, #"""
        {"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"queue-entry-1","namespace":"fleet-system"},
         "data":{"request":"{\"model\":\"llama\"}","empty":""},"binaryData":{"blob":"AAEC"},"immutable":true}
        """#)
    }

    @Test func listsCarryPaginationMetadata() throws {
        let text = #"""
        {"apiVersion":"v1","kind":"PodList","metadata":{"resourceVersion":"555","continue":"eyJ2IjoxfQ","remainingItemCount":40},
         "items":[{"metadata":{"name":"a"}},{"metadata":{"name":"b"}}]}
        """#
        let list = try KubeJSON.decode(KubeList<Pod>.self, from: Array(text.utf8))
        #expect(list.metadata.resourceVersion == "555")
        #expect(list.metadata.continueToken == "eyJ2IjoxfQ")
        #expect(list.metadata.remainingItemCount == 40)
        #expect(list.items.compactMap(\.metadata.name) == ["a", "b"])
        try expectRoundTrip(KubeList<Pod>.self, text)

        let empty = try KubeJSON.decode(KubeList<Node>.self, from: Array(#"{"kind":"NodeList","metadata":{},"items":null}"#.utf8))
        #expect(empty.items.isEmpty)
    }

    @Test func watchEventsDecodeByType() throws {
        let added = try KubeJSON.decode(WatchEvent<Pod>.self, from: Array(#"{"type":"ADDED","object":{"kind":"Pod","metadata":{"name":"p","resourceVersion":"7"}}}"#.utf8))
        #expect(added == .added(try KubeJSON.decode(Pod.self, from: Array(#"{"kind":"Pod","metadata":{"name":"p","resourceVersion":"7"}}"#.utf8))))

        let bookmark = try KubeJSON.decode(WatchEvent<Deployment>.self, from: Array(#"""
        {"type":"BOOKMARK","object":{"kind":"Deployment","apiVersion":"apps/v1","metadata":{"resourceVersion":"12345","annotations":{"k8s.io/initial-events-end":"true"}}}}
        """#.utf8))
        guard case .bookmark(let marker) = bookmark else { Issue.record("expected a bookmark, got \(bookmark)"); return }
        #expect(marker.metadata.resourceVersion == "12345")

        let error = try KubeJSON.decode(WatchEvent<Pod>.self, from: Array(#"""
        {"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"too old resource version: 1 (5)","reason":"Expired","code":410}}
        """#.utf8))
        guard case .error(let status) = error else { Issue.record("expected an error, got \(error)"); return }
        #expect(status.code == 410 && status.reason == "Expired")
        #expect(error.object == nil)

        #expect(throws: DecodingError.self) {
            try KubeJSON.decode(WatchEvent<Pod>.self, from: Array(#"{"type":"RENAMED","object":{}}"#.utf8))
        }
        let deleted = WatchEvent<Pod>.deleted(Pod(metadata: ObjectMeta(name: "gone")))
        #expect(try KubeJSON.decode(WatchEvent<Pod>.self, from: KubeJSON.encode(deleted)) == deleted)
    }

    @Test func statusCarriesCauses() throws {
        let text = #"""
        {"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",
         "message":"Deployment.apps \"Bad_Name\" is invalid: metadata.name: Invalid value: \"Bad_Name\": a lowercase RFC 1123 subdomain must consist of...",
         "reason":"Invalid","details":{"name":"Bad_Name","group":"apps","kind":"Deployment",
         "causes":[{"reason":"FieldValueInvalid","message":"Invalid value: \"Bad_Name\"","field":"metadata.name"}]},"code":422}
        """#
        let status = try KubeJSON.decode(Status.self, from: Array(text.utf8))
        #expect(status.code == 422)
        #expect(status.reason == "Invalid")
        #expect(status.details?.causes == [StatusCause(reason: "FieldValueInvalid", message: "Invalid value: \"Bad_Name\"", field: "metadata.name")])
        try expectRoundTrip(Status.self, text)
    }

    @Test func typeMismatchesAreDecodingErrors() {
        #expect(throws: DecodingError.self) {
            try KubeJSON.decode(Deployment.self, from: Array(#"{"metadata":{"name":"x"},"spec":{"replicas":"two","selector":{},"template":{}}}"#.utf8))
        }
        #expect(throws: DecodingError.self) {
            try KubeJSON.decode(Deployment.self, from: Array(#"{"metadata":{"name":"x"},"spec":{"replicas":2.5,"selector":{},"template":{}}}"#.utf8))
        }
        #expect(throws: DecodingError.self) {
            try KubeJSON.decode(Pod.self, from: Array(#"{"kind":"Pod"}"#.utf8))
        }
    }

    @Test func newObjectsCarryTheirKind() throws {
        let quota = ResourceQuota(
            metadata: ObjectMeta(name: "team-ml", namespace: "team-ml", labels: ["app.kubernetes.io/managed-by": "fleetd"]),
            spec: ResourceQuotaSpec(hard: ["requests.cpu": "64", "requests.nvidia.com/gpu": "8"]))
        let encoded = try KubeJSON.parse(KubeJSON.encode(quota))
        #expect(encoded == [
            "apiVersion": "v1", "kind": "ResourceQuota",
            "metadata": ["name": "team-ml", "namespace": "team-ml", "labels": ["app.kubernetes.io/managed-by": "fleetd"]],
            "spec": ["hard": ["requests.cpu": "64", "requests.nvidia.com/gpu": "8"]],
        ])
        #expect(Deployment.group == "apps" && Deployment.version == "v1" && Pod.group == "" && Pod.version == "v1")
    }
}
