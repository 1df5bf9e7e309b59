public import Fleet

/// The Kubernetes objects fleetd writes for a placed deployment and for Serve.
public enum WorkloadObjects {
    /// PriorityClass values: far above the default 0, so fleet work orders itself
    /// by fleet priority in every cluster's own scheduler.
    public static let priorityValues: [Priority: Int32] = [.high: 1_000_000, .medium: 100_000, .low: 10_000]

    public static func namespace(_ name: String) -> Namespace {
        Namespace(metadata: ObjectMeta(name: name, labels: [FleetLabels.managedBy: FleetLabels.managedByValue]))
    }

    public static func priorityClass(_ priority: Priority) -> PriorityClass {
        PriorityClass(
            metadata: ObjectMeta(name: priority.priorityClassName, labels: [FleetLabels.managedBy: FleetLabels.managedByValue]),
            value: priorityValues[priority]!,
            description: "fleetd \(priority.labelValue) priority")
    }

    public static func podTemplate(_ workload: PlacedWorkload, restartPolicy: String? = nil) -> PodTemplateSpec {
        let record = workload.record
        let spec = record.spec
        let container = record.request.container
        var requests: [String: Quantity] = [
            "cpu": Quantity(milliValue: spec.perReplica.cpuMillis),
            "memory": Quantity(spec.perReplica.memoryBytes, format: .binarySI),
        ]
        var limits: [String: Quantity] = ["memory": Quantity(spec.perReplica.memoryBytes, format: .binarySI)]
        if let accelerator = workload.plan.accelerator, spec.perReplica.acceleratorCount > 0 {
            requests[accelerator.resourceName] = Quantity(spec.perReplica.acceleratorCount)
            limits[accelerator.resourceName] = Quantity(spec.perReplica.acceleratorCount)
        }
        let main = Container(
            name: spec.name,
            image: container.image,
            command: container.command.isEmpty ? nil : container.command,
            args: container.args.isEmpty ? nil : container.args,
            env: container.env.isEmpty ? nil : container.env.sorted { $0.key < $1.key }.map { EnvVar(name: $0.key, value: $0.value) },
            ports: spec.kind == .serving ? [ContainerPort(name: "http", containerPort: Int32(container.port))] : nil,
            resources: ResourceRequirements(requests: requests, limits: limits))
        let tolerations = workload.tolerations.map { toleration in
            KubeBackend.Toleration(
                key: toleration.key.isEmpty ? nil : toleration.key,
                operator: toleration.operator.rawValue,
                value: toleration.operator == .exists ? nil : toleration.value,
                effect: toleration.effect?.rawValue)
        }
        let selector = workload.nodeSelector
        let podSpec = PodSpec(
            containers: [main],
            nodeSelector: selector.isEmpty ? nil : selector,
            tolerations: tolerations.isEmpty ? nil : tolerations,
            priorityClassName: spec.priority.priorityClassName,
            restartPolicy: restartPolicy)
        return PodTemplateSpec(metadata: ObjectMeta(labels: podLabels(workload)), spec: podSpec)
    }

    static func podLabels(_ workload: PlacedWorkload) -> [String: String] {
        workload.labels.merging(["app.kubernetes.io/name": workload.record.spec.name]) { a, _ in a }
    }

    /// The annotation that carries the deployment's record, from which a restarted
    /// fleetd rebuilds it.
    public static let recordAnnotation = "fleet.io/record"

    static func metadata(_ workload: PlacedWorkload) -> ObjectMeta {
        ObjectMeta(name: workload.record.spec.name, namespace: workload.record.spec.namespace, labels: podLabels(workload),
                   annotations: (try? RecordJSON.encode(workload.record)).map { [recordAnnotation: $0] })
    }

    public static func deployment(_ workload: PlacedWorkload) -> Deployment {
        let selector = LabelSelector(matchLabels: [FleetLabels.deploymentID: workload.record.id.rawValue])
        return Deployment(
            metadata: metadata(workload),
            spec: DeploymentSpec(replicas: Int32(workload.record.spec.replicas), selector: selector, template: podTemplate(workload)))
    }

    public static func job(_ workload: PlacedWorkload) -> Job {
        Job(metadata: metadata(workload), spec: jobSpec(workload))
    }

    static func jobSpec(_ workload: PlacedWorkload) -> JobSpec {
        let replicas = Int32(workload.record.spec.replicas)
        return JobSpec(template: podTemplate(workload, restartPolicy: "Never"), parallelism: replicas, completions: replicas, backoffLimit: 3)
    }

    public static func cronJob(_ workload: PlacedWorkload) -> CronJob {
        let template = JobTemplateSpec(metadata: ObjectMeta(labels: podLabels(workload)), spec: jobSpec(workload))
        return CronJob(
            metadata: metadata(workload),
            spec: CronJobSpec(schedule: workload.record.request.schedule ?? "@daily", jobTemplate: template, concurrencyPolicy: "Forbid"))
    }

    /// The Service in front of a served Deployment. With `owner` (the Deployment), it is
    /// garbage-collected with it.
    public static func service(_ endpoint: EndpointRequest, owner: OwnerReference? = nil) -> Service {
        let record = endpoint.record
        return Service(
            metadata: endpointMetadata(record, owner: owner),
            spec: ServiceSpec(
                type: "ClusterIP",
                selector: [FleetLabels.deploymentID: record.id.rawValue],
                ports: [ServicePort(name: "http", protocol: "TCP", port: Int32(endpoint.servicePort), targetPort: .int(Int32(record.request.container.port)))]))
    }

    public static func ingress(_ endpoint: EndpointRequest, owner: OwnerReference? = nil) -> Ingress {
        let record = endpoint.record
        let backend = IngressBackend(service: IngressServiceBackend(name: record.spec.name, port: ServiceBackendPort(number: Int32(endpoint.servicePort))))
        let rule = IngressRule(host: endpoint.host, http: HTTPIngressRuleValue(paths: [HTTPIngressPath(path: endpoint.path, pathType: "Prefix", backend: backend)]))
        return Ingress(
            metadata: endpointMetadata(record, owner: owner),
            spec: IngressSpec(ingressClassName: endpoint.ingressClassName, rules: [rule]))
    }

    static func endpointMetadata(_ record: DeploymentRecord, owner: OwnerReference?) -> ObjectMeta {
        var metadata = ObjectMeta(name: record.spec.name, namespace: record.spec.namespace, labels: endpointLabels(record))
        metadata.ownerReferences = owner.map { [$0] }
        return metadata
    }

    static func endpointLabels(_ record: DeploymentRecord) -> [String: String] {
        [
            FleetLabels.managedBy: FleetLabels.managedByValue,
            FleetLabels.deploymentID: record.id.rawValue,
            FleetLabels.team: record.spec.team,
        ]
    }
}
