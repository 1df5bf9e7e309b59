import KubeBackend

/// Kubernetes' name rules (`KubernetesNames`), with the apiserver's exact wording.
enum NameValidation {
    /// Nil when valid, else the apiserver's explanation.
    static func problem(with name: String, rule: ResourceType.NameRule) -> String? {
        switch rule {
        case .dns1123Subdomain:
            if name.utf8.count > 253 { return "must be no more than 253 characters" }
            if KubernetesNames.isDNS1123Subdomain(name) { return nil }
            return "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
        case .dns1123Label:
            if name.utf8.count > 63 { return "must be no more than 63 characters" }
            if KubernetesNames.isDNS1123Label(name) { return nil }
            return "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
        case .dns1035Label:
            if name.utf8.count > 63 { return "must be no more than 63 characters" }
            if KubernetesNames.isDNS1035Label(name) { return nil }
            return "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')"
        }
    }
}
