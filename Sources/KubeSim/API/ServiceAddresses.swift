import KubeBackend
import Synchronization

/// Services' cluster IPs, given out from the service CIDR as the apiserver's allocator
/// does: every Service but a headless or ExternalName one gets an address no other
/// Service holds; an address the client asks for must be in range and free; an update
/// that leaves the address out keeps the allocated one, and one that changes it is refused.
final class ServiceAddresses: Sendable {
    /// kubeadm's default `--service-cluster-ip-range`.
    static let serviceCIDR = "10.96.0.0/12"
    private static let network: UInt32 = 10 << 24 | 96 << 16
    private static let size: UInt32 = 1 << 20

    private let store: ObjectStore
    /// The next offset to try; .1 is the `kubernetes` Service's in a real cluster.
    private let cursor = Mutex<UInt32>(10)

    init(store: ObjectStore) {
        self.store = store
    }

    /// Fills in spec.clusterIP, clusterIPs, ipFamilies and ipFamilyPolicy of a new Service.
    func assign(_ service: inout JSONValue, as type: ResourceType) throws(APIError) {
        guard type.kind == "Service", service["spec"]?["type"] != "ExternalName" else { return }
        let name = service.metadataString("name") ?? ""
        let requested = service["spec"]?["clusterIP"]?.stringValue ?? ""
        let address: String
        if requested == "None" {
            address = requested
        } else if !requested.isEmpty {
            try checkRequested(requested, service: name, type: type)
            address = requested
        } else {
            address = allocate()
        }
        service.set(["spec", "clusterIP"], .string(address))
        service.set(["spec", "clusterIPs"], [.string(address)])
        if service["spec"]?["ipFamilies"] == nil { service.set(["spec", "ipFamilies"], ["IPv4"]) }
        if service["spec"]?["ipFamilyPolicy"] == nil { service.set(["spec", "ipFamilyPolicy"], "SingleStack") }
    }

    /// Carries the stored Service's address into an update that leaves it out.
    func keep(from old: JSONValue, in new: inout JSONValue, as type: ResourceType) throws(APIError) {
        guard type.kind == "Service", let oldAddress = old["spec"]?["clusterIP"]?.stringValue, !oldAddress.isEmpty,
              new["spec"]?["type"] != "ExternalName"
        else { return }
        let newAddress = new["spec"]?["clusterIP"]?.stringValue ?? ""
        if newAddress.isEmpty {
            new.set(["spec", "clusterIP"], old["spec"]?["clusterIP"])
            new.set(["spec", "clusterIPs"], old["spec"]?["clusterIPs"])
            for field in ["ipFamilies", "ipFamilyPolicy"] where new["spec"]?[field] == nil {
                new.set(["spec", field], old["spec"]?[field])
            }
        } else if newAddress != oldAddress {
            throw APIError.invalid(type, name: new.metadataString("name") ?? "",
                                   [FieldError("spec.clusterIPs[0]", .invalid(.string(newAddress)), "may not change once set")])
        }
    }

    private func checkRequested(_ address: String, service: String, type: ResourceType) throws(APIError) {
        func refuse(_ reason: String) -> APIError {
            APIError.invalid(type, name: service, [FieldError(
                "spec.clusterIPs", .invalidText("[]string{\"\(address)\"}"), "failed to allocate IP \(address): \(reason)")])
        }
        guard let value = Self.parse(address) else {
            throw APIError.invalid(type, name: service, [FieldError(
                "spec.clusterIPs[0]", .invalid(.string(address)), "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)")])
        }
        guard value & ~(Self.size - 1) == Self.network else {
            throw refuse("the provided IP (\(address)) is not in the valid range. The range of valid IPs is \(Self.serviceCIDR)")
        }
        if usedAddresses().contains(address) { throw refuse("provided IP is already allocated") }
    }

    private func allocate() -> String {
        let used = usedAddresses()
        return cursor.withLock { next -> String in
            while true {
                let offset = next
                next = next + 1 >= Self.size - 1 ? 10 : next + 1
                let address = Self.format(Self.network + offset)
                if !used.contains(address) { return address }
            }
        }
    }

    private func usedAddresses() -> Set<String> {
        guard let services = store.catalog.type(group: "", version: "v1", resource: "services"),
              let items = try? store.list(services).items
        else { return [] }
        return Set(items.compactMap { $0["spec"]?["clusterIP"]?.stringValue })
    }

    private static func parse(_ text: String) -> UInt32? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var value: UInt32 = 0
        for part in parts {
            guard let octet = UInt8(part), String(octet) == part else { return nil }
            value = value << 8 | UInt32(octet)
        }
        return value
    }

    private static func format(_ value: UInt32) -> String {
        "\(value >> 24).\(value >> 16 & 0xff).\(value >> 8 & 0xff).\(value & 0xff)"
    }
}
