/// The sample fleet fleetd starts with no configuration: four simulated clusters shaped
/// like real ones, each with a CPU pool and GPU (or TPU) pools of different accelerator
/// types. Kept as YAML so that `kubesim --print-profile NAME` shows users the format.
extension ClusterProfile {
    public static let builtinNames = ["gke-us-central1", "aks-westeurope", "eks-us-east-1", "onprem-dc1"]

    /// A built-in profile by name, or nil.
    public static func builtin(named name: String) -> ClusterProfile? {
        guard let text = builtinYAML[name] else { return nil }
        do {
            return try parse(yaml: text)
        } catch {
            preconditionFailure("built-in profile \(name) is invalid: \(error)")
        }
    }

    /// All four built-in clusters, in `builtinNames` order.
    public static var builtinFleet: [ClusterProfile] { builtinNames.compactMap(builtin(named:)) }

    static let builtinYAML: [String: String] = [
        "gke-us-central1": """
        name: gke-us-central1
        cloud: gke
        region: us-central1
        zones: [us-central1-a, us-central1-b, us-central1-c]
        jobRunSeconds: 30
        nodePools:
        - name: default-pool
          count: 4
          instanceType: e2-standard-8
          cpu: "8"
          memory: 32Gi
        - name: a100-pool
          count: 2
          instanceType: a2-highgpu-8g
          cpu: "96"
          memory: 680Gi
          labels:
            cloud.google.com/gke-accelerator: nvidia-tesla-a100
          extendedResources:
            nvidia.com/gpu: "8"
          taints:
          - {key: nvidia.com/gpu, value: present, effect: NoSchedule}
        - name: tpu-v5e-pool
          count: 1
          instanceType: ct5lp-hightpu-4t
          cpu: "112"
          memory: 192Gi
          labels:
            cloud.google.com/gke-tpu-accelerator: tpu-v5-lite-podslice
            cloud.google.com/gke-tpu-topology: 2x2
          extendedResources:
            google.com/tpu: "4"
          taints:
          - {key: google.com/tpu, value: present, effect: NoSchedule}
        """,
        "aks-westeurope": """
        name: aks-westeurope
        cloud: aks
        region: westeurope
        zones: [westeurope-1, westeurope-2, westeurope-3]
        jobRunSeconds: 30
        nodePools:
        - name: system
          count: 3
          instanceType: Standard_D8s_v5
          cpu: "8"
          memory: 32Gi
        - name: gput4
          count: 2
          instanceType: Standard_NC16as_T4_v3
          cpu: "16"
          memory: 110Gi
          labels:
            accelerator: nvidia
            nvidia.com/gpu.product: Tesla-T4
          extendedResources:
            nvidia.com/gpu: "1"
          taints:
          - {key: nvidia.com/gpu, value: present, effect: NoSchedule}
        - name: gpua100
          count: 2
          instanceType: Standard_NC24ads_A100_v4
          cpu: "24"
          memory: 220Gi
          labels:
            accelerator: nvidia
            nvidia.com/gpu.product: NVIDIA-A100-PCIE-80GB
          extendedResources:
            nvidia.com/gpu: "1"
          taints:
          - {key: nvidia.com/gpu, value: present, effect: NoSchedule}
        """,
        "eks-us-east-1": """
        name: eks-us-east-1
        cloud: eks
        region: us-east-1
        zones: [us-east-1a, us-east-1b, us-east-1c]
        jobRunSeconds: 30
        nodePools:
        - name: general
          count: 4
          instanceType: m6i.2xlarge
          cpu: "8"
          memory: 32Gi
        - name: gpu-a10g
          count: 2
          instanceType: g5.12xlarge
          cpu: "48"
          memory: 192Gi
          labels:
            k8s.amazonaws.com/accelerator: nvidia-a10g
            nvidia.com/gpu.product: NVIDIA-A10G
          extendedResources:
            nvidia.com/gpu: "4"
          taints:
          - {key: nvidia.com/gpu, value: present, effect: NoSchedule}
        - name: gpu-a100
          count: 1
          instanceType: p4d.24xlarge
          cpu: "96"
          memory: 1152Gi
          labels:
            k8s.amazonaws.com/accelerator: nvidia-tesla-a100
            nvidia.com/gpu.product: NVIDIA-A100-SXM4-40GB
          extendedResources:
            nvidia.com/gpu: "8"
          taints:
          - {key: nvidia.com/gpu, value: present, effect: NoSchedule}
        """,
        "onprem-dc1": """
        name: onprem-dc1
        cloud: onprem
        region: dc1
        zones: [dc1-row-a, dc1-row-b]
        jobRunSeconds: 30
        nodePools:
        - name: cpu
          count: 6
          cpu: "32"
          memory: 128Gi
        - name: h100
          count: 2
          cpu: "128"
          memory: 2Ti
          labels:
            nvidia.com/gpu.product: NVIDIA-H100-80GB-HBM3
          extendedResources:
            nvidia.com/gpu: "8"
          taints:
          - {key: nvidia.com/gpu, value: present, effect: NoSchedule}
        - name: l40s
          count: 2
          cpu: "64"
          memory: 512Gi
          labels:
            nvidia.com/gpu.product: NVIDIA-L40S
          extendedResources:
            nvidia.com/gpu: "4"
          taints:
          - {key: nvidia.com/gpu, value: present, effect: NoSchedule}
        """,
    ]
}
