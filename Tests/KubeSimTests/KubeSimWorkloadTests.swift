import Foundation
import KubeBackend
@testable import KubeSim
import Testing

private let deployments = "/apis/apps/v1/namespaces/default/deployments"
private let replicaSets = "/apis/apps/v1/namespaces/default/replicasets"
private let jobs = "/apis/batch/v1/namespaces/default/jobs"
private let cronJobs = "/apis/batch/v1/namespaces/default/cronjobs"
private let pods = "/api/v1/namespaces/default/pods"

private func podTemplate(image: String = "model:1", restartPolicy: String? = nil, annotations: JSONObject = [:]) -> JSONValue {
    var spec: JSONObject = ["containers": [["name": "main", "image": .string(image), "resources": ["requests": ["cpu": "100m"]]]]]
    if let restartPolicy { spec["restartPolicy"] = .string(restartPolicy) }
    return ["metadata": ["labels": ["app": "model"], "annotations": .object(annotations)], "spec": .object(spec)]
}

private func deployment(replicas: Int64, image: String = "model:1") -> JSONValue {
    ["apiVersion": "apps/v1", "kind": "Deployment", "metadata": ["name": "model"],
     "spec": ["replicas": .number(JSONNumber(replicas)), "selector": ["matchLabels": ["app": "model"]], "template": podTemplate(image: image)]]
}

@Suite(.serialized) struct KubeSimWorkloadTests {
    @Test func deploymentCreatesAReplicaSetAndReadyPodsAndScales() async throws {
        let session = try await ClusterSession.start()
        defer { Task { try await session.stop() } }
        let (created, createdBody) = try await session.send("POST", deployments, body: deployment(replicas: 3))
        #expect(created == 201)
        // Before any controller runs, the object reads back with an empty status, as the
        // apiserver returns it; clients (the Python client among them) expect the field.
        #expect(createdBody["status"] == .object([:]))
        let ready = try await session.waitFor("\(deployments)/model") { $0["status"]?["availableReplicas"]?.int == 3 }
        #expect(ready["status"]?["replicas"]?.int == 3)
        #expect(ready["status"]?["readyReplicas"]?.int == 3)
        #expect(ready["status"]?["updatedReplicas"]?.int == 3)
        #expect(ready["status"]?["observedGeneration"]?.int == 1)
        #expect(ready.condition("Available")?["status"] == "True")
        #expect(ready.condition("Progressing")?["reason"] == "NewReplicaSetAvailable")

        let sets = try await session.items(replicaSets)
        #expect(sets.count == 1)
        let replicaSet = try #require(sets.first)
        let hash = try #require(replicaSet["metadata"]?["labels"]?["pod-template-hash"]?.stringValue)
        #expect(replicaSet["metadata"]?["name"]?.stringValue == "model-\(hash)")
        #expect(replicaSet["metadata"]?["ownerReferences"]?[0]?["uid"] == ready["metadata"]?["uid"])
        let running = try await session.items(pods)
        #expect(running.count == 3)
        for pod in running {
            #expect(pod["metadata"]?["labels"]?["pod-template-hash"]?.stringValue == hash)
            #expect(pod["metadata"]?["ownerReferences"]?[0]?["kind"] == "ReplicaSet")
            #expect(pod["metadata"]?["ownerReferences"]?[0]?["uid"] == replicaSet["metadata"]?["uid"])
            #expect(pod["status"]?["phase"] == "Running")
        }

        _ = try await session.send("PATCH", "\(deployments)/model", body: ["spec": ["replicas": 1]], contentType: "application/merge-patch+json")
        let scaledDown = try await session.waitFor("\(deployments)/model") { $0["status"]?["replicas"]?.int == 1 && $0["status"]?["observedGeneration"]?.int == 2 }
        #expect(scaledDown["status"]?["availableReplicas"]?.int == 1)
        #expect(try await session.items(pods).count == 1)

        _ = try await session.send("PATCH", "\(deployments)/model", body: ["spec": ["replicas": 2, "template": podTemplate(image: "model:2")]],
                                   contentType: "application/merge-patch+json")
        try await session.waitFor("\(deployments)/model") {
            $0["status"]?["updatedReplicas"]?.int == 2 && $0["status"]?["replicas"]?.int == 2 && $0["status"]?["availableReplicas"]?.int == 2
        }
        let rolled = try await session.items(pods)
        #expect(rolled.map { $0["spec"]?["containers"]?[0]?["image"] } == ["model:2", "model:2"])
        let afterRollout = try await session.items(replicaSets)
        #expect(afterRollout.count == 2)
        #expect(afterRollout.map { $0["spec"]?["replicas"]?.int ?? -1 }.sorted() == [0, 2])

        let (deleted, _) = try await session.send("DELETE", "\(deployments)/model")
        #expect(deleted == 200)
        #expect(try await session.items(replicaSets).isEmpty)
        #expect(try await session.items(pods).isEmpty)
        // No controller recreates pods for the deleted owner.
        #expect(await session.cluster.waitUntilSettled())
        #expect(try await session.items(pods).isEmpty)
    }

    @Test func jobPodsRunForTheirSimulatedTimeThenTheJobCompletes() async throws {
        let clock = SimulationClock.manual()
        let session = try await ClusterSession.start(clock: clock)
        defer { Task { try await session.stop() } }
        let job: JSONValue = ["apiVersion": "batch/v1", "kind": "Job",
                              "metadata": ["name": "train", "annotations": ["kubesim.fleet.io/run-seconds": "30"]],
                              "spec": ["completions": 3, "parallelism": 2, "template": podTemplate(restartPolicy: "Never")]]
        let (created, _) = try await session.send("POST", jobs, body: job)
        #expect(created == 201)
        let started = try await session.waitFor("\(jobs)/train") { $0["status"]?["active"]?.int == 2 && $0["status"]?["ready"]?.int == 2 }
        #expect(started["status"]?["startTime"] != nil)
        let jobPods = try await session.items("\(pods)?labelSelector=batch.kubernetes.io%2Fjob-name%3Dtrain")
        #expect(jobPods.count == 2)
        #expect(jobPods.allSatisfy { $0["metadata"]?["ownerReferences"]?[0]?["kind"] == "Job" })

        clock.advance(by: 29)
        #expect(await session.cluster.waitUntilSettled())
        #expect(try await session.get("\(jobs)/train")["status"]?["succeeded"] == nil)

        clock.advance(by: 1)
        // The third pod must be running (its start time taken) before the clock moves on.
        try await session.waitFor("\(jobs)/train") {
            $0["status"]?["succeeded"]?.int == 2 && $0["status"]?["active"]?.int == 1 && $0["status"]?["ready"]?.int == 1
        }
        clock.advance(by: 30)
        let done = try await session.waitFor("\(jobs)/train") { $0.condition("Complete")?["status"] == "True" }
        #expect(done["status"]?["succeeded"]?.int == 3)
        #expect(done["status"]?["active"] == nil)
        #expect(done["status"]?["completionTime"] != nil)
        #expect(done.condition("Complete")?["reason"] == "CompletionsReached")
        let finished = try await session.items(pods)
        #expect(finished.count == 3)
        #expect(finished.allSatisfy { $0["status"]?["phase"] == "Succeeded" })

        _ = try await session.send("DELETE", "\(jobs)/train")
        #expect(try await session.items(pods).isEmpty)
    }

    @Test func cronJobCreatesJobsOnItsScheduleUnderTheTestsClock() async throws {
        let clock = SimulationClock.manual()
        let start = clock.now()
        let session = try await ClusterSession.start(clock: clock)
        defer { Task { try await session.stop() } }
        let cronJob: JSONValue = ["apiVersion": "batch/v1", "kind": "CronJob", "metadata": ["name": "retrain"],
                                  "spec": ["schedule": "*/5 * * * *", "successfulJobsHistoryLimit": 2,
                                           "jobTemplate": ["spec": ["template": podTemplate(restartPolicy: "OnFailure", annotations: ["kubesim.fleet.io/run-seconds": "60"])]]]]
        let (created, _) = try await session.send("POST", cronJobs, body: cronJob)
        #expect(created == 201)
        #expect(await session.cluster.waitUntilSettled())
        #expect(try await session.items(jobs).isEmpty)

        clock.advance(by: 299)
        #expect(await session.cluster.waitUntilSettled())
        #expect(try await session.items(jobs).isEmpty, "nothing is due before the first five minutes pass")

        clock.advance(by: 1)
        let firstDue = start.addingTimeInterval(300)
        let firstName = "retrain-\(Int(firstDue.timeIntervalSince1970 / 60))"
        let scheduled = try await session.waitFor("\(cronJobs)/retrain") { $0["status"]?["active"]?.arrayValue?.count == 1 }
        #expect(scheduled["status"]?["lastScheduleTime"]?.stringValue == Timestamp(firstDue).rawValue)
        #expect(scheduled["status"]?["active"]?[0]?["name"]?.stringValue == firstName)
        let job = try await session.get("\(jobs)/\(firstName)")
        #expect(job["metadata"]?["ownerReferences"]?[0]?["kind"] == "CronJob")

        // The Job's pod runs 60 simulated seconds, then the CronJob records the success.
        try await session.waitFor("\(pods)?labelSelector=job-name%3D\(firstName)") { $0["items"]?[0]?["status"]?["phase"] == "Running" }
        clock.advance(by: 60)
        let succeeded = try await session.waitFor("\(cronJobs)/retrain") { $0["status"]?["lastSuccessfulTime"] != nil }
        #expect(succeeded["status"]?["active"] == nil)

        // Three more runs; only the two newest finished Jobs are kept.
        for _ in 0..<3 {
            clock.advance(by: 240)
            #expect(await session.cluster.waitUntilSettled())
            clock.advance(by: 60)
            #expect(await session.cluster.waitUntilSettled())
        }
        try await session.waitFor(jobs) { $0["items"]?.arrayValue?.count == 2 }
        let kept = try await session.items(jobs).compactMap { $0["metadata"]?["name"]?.stringValue }.sorted()
        #expect(kept == [15, 20].map { "retrain-\(Int(start.timeIntervalSince1970 / 60) + $0)" })
    }
}

@Suite struct CronScheduleTests {
    private let epoch = Date(timeIntervalSince1970: 1_767_225_600) // 2026-01-01T00:00:00Z, a Thursday

    private func next(_ expression: String, after date: Date) throws -> String {
        let schedule = try CronSchedule(parsing: expression)
        return Timestamp(try #require(schedule.next(after: date))).rawValue
    }

    @Test func nextTimesFollowTheFiveFields() throws {
        #expect(try next("*/15 * * * *", after: epoch) == "2026-01-01T00:15:00Z")
        #expect(try next("30 2 * * *", after: epoch) == "2026-01-01T02:30:00Z")
        #expect(try next("0 3 * * MON", after: epoch) == "2026-01-05T03:00:00Z")
        #expect(try next("0 0 29 2 *", after: epoch) == "2028-02-29T00:00:00Z")
        #expect(try next("0 9-17/4 * * 1-5", after: epoch) == "2026-01-01T09:00:00Z")
        #expect(try next("@monthly", after: epoch) == "2026-02-01T00:00:00Z")
        #expect(try next("0 0 13 * 5", after: epoch) == "2026-01-02T00:00:00Z", "day-of-month or day-of-week when both are restricted")
        #expect(try next("59 23 31 12 *", after: epoch) == "2026-12-31T23:59:00Z")
    }

    @Test func invalidExpressionsAreRejected() {
        for expression in ["* * * *", "60 * * * *", "* 24 * * *", "*/0 * * * *", "5-1 * * * *", "* * * FOO *"] {
            #expect(throws: CronSchedule.Invalid.self, "\(expression)") { try CronSchedule(parsing: expression) }
        }
    }

    @Test func latestPicksTheMostRecentMissedTime() throws {
        let schedule = try CronSchedule(parsing: "0 * * * *")
        let latest = schedule.latest(after: epoch, upTo: epoch.addingTimeInterval(3 * 3600 + 59))
        #expect(latest == epoch.addingTimeInterval(3 * 3600))
        #expect(schedule.latest(after: epoch, upTo: epoch.addingTimeInterval(3599)) == nil)
    }
}
