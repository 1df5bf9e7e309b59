public import Fleet

/// Kubernetes' name rules live in the fleet domain, which checks names before they reach a
/// cluster; KubeBackend's users (kubesim among them) find them here too.
public typealias KubernetesNames = Fleet.KubernetesNames
