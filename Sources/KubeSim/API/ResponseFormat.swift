/// The representation a request's Accept header selects among those the simulator
/// serves: the object itself, a meta.k8s.io Table, or aggregated discovery.
enum ResponseFormat: Equatable {
    case object
    /// meta.k8s.io/{version} Table.
    case table(version: String)
    /// apidiscovery.k8s.io/{version} APIGroupDiscoveryList.
    case discovery(version: String)

    /// The first acceptable entry wins, as clients list their preference first.
    /// Anything unrecognised (protobuf, say) falls back to plain JSON.
    init(accept: String?) {
        self = .object
        guard let accept else { return }
        for range in accept.split(separator: ",") {
            let parts = range.split(separator: ";").map { $0.trimmingSpaces }
            guard let mediaType = parts.first?.lowercased(), ["application/json", "*/*", "application/*"].contains(mediaType) else { continue }
            var parameters: [String: String] = [:]
            for parameter in parts.dropFirst() {
                let pair = parameter.split(separator: "=", maxSplits: 1)
                if pair.count == 2 { parameters[String(pair[0].trimmingSpaces)] = String(pair[1].trimmingSpaces) }
            }
            let version = parameters["v"] ?? ""
            switch (parameters["as"], parameters["g"]) {
            case (nil, _):
                return
            case ("Table", "meta.k8s.io") where ["v1", "v1beta1"].contains(version):
                self = .table(version: version)
                return
            case ("APIGroupDiscoveryList", "apidiscovery.k8s.io") where ["v2", "v2beta1"].contains(version):
                self = .discovery(version: version)
                return
            default:
                continue
            }
        }
    }

    var tableVersion: String? {
        if case .table(let version) = self { return version }
        return nil
    }
}
