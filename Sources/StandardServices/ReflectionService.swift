import Protos
public import RPCServer

/// Server reflection, `grpc.reflection.v1` and `grpc.reflection.v1alpha`: lists the services,
/// and serves the descriptors of the .proto files compiled into `Protos`, so that tools work
/// with no .proto at hand.
///
/// Both versions have the same messages with the same field numbers, so v1alpha is served with
/// the v1 types: the bytes on the wire are identical.
public struct ReflectionService: RPCService {
    public static let serviceName = Grpc_Reflection_V1_ServerReflection.serviceName
    static let v1alphaPath = "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo"
    /// Both reflection service names, to add to a listing.
    public static let serviceNames = [serviceName, "grpc.reflection.v1alpha.ServerReflection"]

    private let listedServices: [String]

    /// - Parameter services: what `list_services` answers: the server's registered services.
    public init(listing services: [String]) {
        listedServices = Array(Set(services)).sorted()
    }

    public func register(into router: inout RPCRouter) {
        for path in [Grpc_Reflection_V1_ServerReflection.Method.serverReflectionInfo, Self.v1alphaPath] {
            router.bidiStreaming(path) { [self] (requests: RPCRequestStream<Grpc_Reflection_V1_ServerReflectionRequest>,
                                                 writer: RPCResponseWriter<Grpc_Reflection_V1_ServerReflectionResponse>, _) in
                for try await request in requests {
                    try await writer.write(answer(request))
                }
            }
        }
    }

    func answer(_ request: Grpc_Reflection_V1_ServerReflectionRequest) -> Grpc_Reflection_V1_ServerReflectionResponse {
        var response = Grpc_Reflection_V1_ServerReflectionResponse()
        response.validHost = request.host
        response.originalRequest = request
        switch request.messageRequest {
        case .listServices?:
            var list = Grpc_Reflection_V1_ListServiceResponse()
            list.service = listedServices.map { name in
                var service = Grpc_Reflection_V1_ServiceResponse()
                service.name = name
                return service
            }
            response.listServicesResponse = list
        case .fileByFilename(let name)?:
            response.messageResponse = files(ProtoFileRegistry.file(named: name), notFound: "file '\(name)' not found")
        case .fileContainingSymbol(let symbol)?:
            response.messageResponse = files(ProtoFileRegistry.file(containingSymbol: symbol),
                                             notFound: "symbol '\(symbol)' not found")
        case .fileContainingExtension(let ext)?:
            response.messageResponse = error(.notFound,
                "no extension \(ext.extensionNumber) of '\(ext.containingType)' is known")
        case .allExtensionNumbersOfType(let type)?:
            if ProtoFileRegistry.file(containingSymbol: type) != nil {
                var numbers = Grpc_Reflection_V1_ExtensionNumberResponse()
                numbers.baseTypeName = type
                response.allExtensionNumbersResponse = numbers
            } else {
                response.messageResponse = error(.notFound, "type '\(type)' not found")
            }
        case nil:
            response.messageResponse = error(.invalidArgument, "the request names no query")
        }
        return response
    }

    private func files(_ file: ProtoFile?, notFound: String) -> Grpc_Reflection_V1_ServerReflectionResponse.OneOf_MessageResponse {
        guard let file else { return error(.notFound, notFound) }
        var descriptors = Grpc_Reflection_V1_FileDescriptorResponse()
        descriptors.fileDescriptorProto = ProtoFileRegistry.withDependencies(file).map(\.serializedDescriptor)
        return .fileDescriptorResponse(descriptors)
    }

    private func error(_ code: RPCStatusCode, _ message: String) -> Grpc_Reflection_V1_ServerReflectionResponse.OneOf_MessageResponse {
        var error = Grpc_Reflection_V1_ErrorResponse()
        error.errorCode = Int32(code.rawValue)
        error.errorMessage = message
        return .errorResponse(error)
    }
}

extension RPCRouter {
    /// Registers health and reflection, the services every gRPC client expects; reflection
    /// lists everything registered so far plus itself.
    public mutating func registerStandardServices(health: HealthService) {
        register(health)
        register(ReflectionService(listing: serviceNames + ReflectionService.serviceNames))
    }
}
