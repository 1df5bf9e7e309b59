import Protos
import Testing

private func hex(_ s: String) -> [UInt8] {
    var out: [UInt8] = []
    var i = s.startIndex
    while i < s.endIndex {
        let j = s.index(i, offsetBy: 2)
        out.append(UInt8(s[i..<j], radix: 16)!)
        i = j
    }
    return out
}

@Suite struct RoundTrips {
    @Test func simpleRequestWithNestedMessagesEnumsAndBytes() throws {
        var request = Grpc_Testing_SimpleRequest()
        request.responseType = .compressable
        request.responseSize = 314_159
        var payload = Grpc_Testing_Payload()
        payload.body = [0, 1, 2, 0xfe, 0xff]
        request.payload = payload
        request.fillUsername = true
        var compressed = Grpc_Testing_BoolValue()
        compressed.value = true
        request.responseCompressed = compressed
        var status = Grpc_Testing_EchoStatus()
        status.code = 7
        status.message = "denied ✓"
        request.responseStatus = status
        request.expectCompressed = Grpc_Testing_BoolValue()  // present but all defaults

        let bytes = try request.serializedBytes()
        let decoded = try Grpc_Testing_SimpleRequest(serializedBytes: bytes)
        #expect(decoded == request)
        #expect(decoded.payload?.body == [0, 1, 2, 0xfe, 0xff])
        #expect(decoded.responseCompressed?.value == true)
        #expect(decoded.expectCompressed == Grpc_Testing_BoolValue())
        #expect(decoded.orcaOobReport == nil)
        #expect(decoded.responseStatus?.message == "denied ✓")
    }

    @Test func repeatedMessages() throws {
        var request = Grpc_Testing_StreamingOutputCallRequest()
        request.responseType = .compressable
        for size in [1, 0, 27_182, 8] as [Int32] {
            var p = Grpc_Testing_ResponseParameters()
            p.size = size
            p.intervalUs = size * 2
            if size == 8 {
                var c = Grpc_Testing_BoolValue()
                c.value = true
                p.compressed = c
            }
            request.responseParameters.append(p)
        }
        let decoded = try Grpc_Testing_StreamingOutputCallRequest(serializedBytes: request.serializedBytes())
        #expect(decoded == request)
        #expect(decoded.responseParameters.map(\.size) == [1, 0, 27_182, 8])
        #expect(decoded.responseParameters[3].compressed?.value == true)
        #expect(decoded.responseParameters[0].compressed == nil)
    }

    @Test func repeatedScalarsAndEnums() throws {
        var info = Grpc_Testing_ReconnectInfo()
        info.passed = true
        info.backoffMs = [100, 200, -1, Int32.max]
        #expect(try Grpc_Testing_ReconnectInfo(serializedBytes: info.serializedBytes()) == info)

        var configure = Grpc_Testing_ClientConfigureRequest()
        configure.types = [.unaryCall, .emptyCall, .init(rawValue: 42)]
        var md = Grpc_Testing_ClientConfigureRequest.Metadata()
        md.type = .unaryCall
        md.key = "k"
        md.value = ""
        configure.metadata = [md, md]
        configure.timeoutSec = 5
        #expect(try Grpc_Testing_ClientConfigureRequest(serializedBytes: configure.serializedBytes()) == configure)
    }

    @Test func maps() throws {
        var stats = Grpc_Testing_LoadBalancerStatsResponse()
        stats.rpcsByPeer = ["peer-a": 3, "peer-b": 0, "": 7]
        stats.numFailures = 2
        var byPeer = Grpc_Testing_LoadBalancerStatsResponse.RpcsByPeer()
        byPeer.rpcsByPeer = ["x": 1]
        stats.rpcsByMethod = ["UnaryCall": byPeer, "EmptyCall": .init()]
        let bytes = try stats.serializedBytes()
        let decoded = try Grpc_Testing_LoadBalancerStatsResponse(serializedBytes: bytes)
        #expect(decoded == stats)
        #expect(decoded.rpcsByMethod["UnaryCall"]?.rpcsByPeer["x"] == 1)
        // Map entries are written sorted by key, so the encoding is deterministic.
        #expect(try decoded.serializedBytes() == bytes)

        var accumulated = Grpc_Testing_LoadBalancerAccumulatedStatsResponse()
        var method = Grpc_Testing_LoadBalancerAccumulatedStatsResponse.MethodStats()
        method.rpcsStarted = 9
        method.result = [0: 5, 14: 3, -1: 1]
        accumulated.statsPerMethod = ["UNARY_CALL": method]
        #expect(try Grpc_Testing_LoadBalancerAccumulatedStatsResponse(serializedBytes: accumulated.serializedBytes()) == accumulated)

        var orca = Grpc_Testing_TestOrcaReport()
        orca.requestCost = ["db": 1.5, "cpu": 0.25]
        orca.utilization = ["gpu": 0.75]
        #expect(try Grpc_Testing_TestOrcaReport(serializedBytes: orca.serializedBytes()) == orca)
    }

    @Test func oneofs() throws {
        var request = Grpc_Reflection_V1_ServerReflectionRequest()
        request.host = "localhost"
        request.messageRequest = .fileContainingSymbol("grpc.testing.TestService")
        let decoded = try Grpc_Reflection_V1_ServerReflectionRequest(serializedBytes: request.serializedBytes())
        #expect(decoded == request)
        #expect(decoded.fileContainingSymbol == "grpc.testing.TestService")
        #expect(decoded.fileByFilename == "")

        // A oneof member holding its default value is still set.
        var list = Grpc_Reflection_V1_ServerReflectionRequest()
        list.listServices = ""
        let listDecoded = try Grpc_Reflection_V1_ServerReflectionRequest(serializedBytes: list.serializedBytes())
        #expect(listDecoded.messageRequest == .listServices(""))

        var ext = Grpc_Reflection_V1_ServerReflectionRequest()
        var er = Grpc_Reflection_V1_ExtensionRequest()
        er.containingType = "a.B"
        er.extensionNumber = 100
        ext.fileContainingExtension = er
        #expect(try Grpc_Reflection_V1_ServerReflectionRequest(serializedBytes: ext.serializedBytes()) == ext)

        var none = Grpc_Reflection_V1_ServerReflectionRequest()
        none.host = "h"
        #expect(try Grpc_Reflection_V1_ServerReflectionRequest(serializedBytes: none.serializedBytes()).messageRequest == nil)

        var response = Grpc_Reflection_V1alpha_ServerReflectionResponse()
        response.originalRequest = Grpc_Reflection_V1alpha_ServerReflectionRequest()
        var files = Grpc_Reflection_V1alpha_FileDescriptorResponse()
        files.fileDescriptorProto = [[1, 2, 3], [], [0]]
        response.messageResponse = .fileDescriptorResponse(files)
        #expect(try Grpc_Reflection_V1alpha_ServerReflectionResponse(serializedBytes: response.serializedBytes()) == response)
    }

    @Test func emptyMessagesEncodeToNothing() throws {
        #expect(try Grpc_Testing_Empty().serializedBytes() == [])
        #expect(try Grpc_Testing_SimpleRequest().serializedBytes() == [])
        #expect(try Grpc_Testing_SimpleRequest(serializedBytes: []) == Grpc_Testing_SimpleRequest())
        #expect(try Google_Protobuf_Empty(serializedBytes: []) == Google_Protobuf_Empty())
    }

    @Test func healthAndStatusWithAnyDetails() throws {
        var check = Grpc_Health_V1_HealthCheckResponse()
        check.status = .serving
        #expect(try Grpc_Health_V1_HealthCheckResponse(serializedBytes: check.serializedBytes()).status == .serving)
        #expect(Grpc_Health_V1_HealthCheckResponse.ServingStatus.notServing.description == "NOT_SERVING")

        var violation = Google_Rpc_BadRequest.FieldViolation()
        violation.field = "spec.replicas"
        violation.description = "must be positive"
        var bad = Google_Rpc_BadRequest()
        bad.fieldViolations = [violation]
        var info = Google_Rpc_ResourceInfo()
        info.resourceType = "fleet.v1.Deployment"
        info.resourceName = "d-1"
        let status = try Google_Rpc_Status(code: 3, message: "bad", details: [
            Google_Protobuf_Any(packing: bad), Google_Protobuf_Any(packing: info),
        ])
        let decoded = try Google_Rpc_Status(serializedBytes: status.serializedBytes())
        #expect(decoded == status)
        #expect(decoded.details[0].typeUrl == "type.googleapis.com/google.rpc.BadRequest")
        #expect(try decoded.details[0].unpack(Google_Rpc_BadRequest.self) == bad)
        #expect(try decoded.details[0].unpack(Google_Rpc_ResourceInfo.self) == nil)
        #expect(try decoded.details[1].unpack(Google_Rpc_ResourceInfo.self) == info)

        var retry = Google_Rpc_RetryInfo()
        retry.retryDelay = Google_Protobuf_Duration(.milliseconds(1500))
        let retryDecoded = try Google_Rpc_RetryInfo(serializedBytes: retry.serializedBytes())
        #expect(retryDecoded.retryDelay?.seconds == 1)
        #expect(retryDecoded.retryDelay?.nanos == 500_000_000)
        #expect(retryDecoded.retryDelay?.duration == .milliseconds(1500))
    }

    @Test func scalarExtremes() throws {
        var orca = Grpc_Testing_TestOrcaReport()
        orca.cpuUtilization = -0.0
        orca.memoryUtilization = .greatestFiniteMagnitude
        #expect(try Grpc_Testing_TestOrcaReport(serializedBytes: orca.serializedBytes()) == orca)

        var quota = Google_Rpc_QuotaFailure.Violation()
        quota.quotaValue = Int64.min
        quota.quotaDimensions = ["region": "eu", "zone": ""]
        var failure = Google_Rpc_QuotaFailure()
        failure.violations = [quota]
        #expect(try Google_Rpc_QuotaFailure(serializedBytes: failure.serializedBytes()) == failure)
    }
}

/// Bytes produced independently by the Python protobuf runtime (messages_pb2 etc.).
@Suite struct KnownGoodBytes {
    // SimpleRequest(response_type=COMPRESSABLE, response_size=314159,
    //   payload=Payload(type=COMPRESSABLE, body=b"\x00\x01\x02\xfe\xff"), fill_username=True,
    //   response_compressed=BoolValue(True), response_status=EchoStatus(7, "denied ✓"),
    //   expect_compressed=BoolValue(False), fill_server_id=True, fill_grpclb_route_type=True,
    //   orca_per_query_report=TestOrcaReport(cpu_utilization=0.5, memory_utilization=0.25))
    static let simpleRequest = hex(
        "10af96131a071205000102feff2001320208013a0e0807120a64656e69656420e29c934200480150015a12"
            + "09000000000000e03f11000000000000d03f")

    @Test func simpleRequestFromPython() throws {
        let r = try Grpc_Testing_SimpleRequest(serializedBytes: Self.simpleRequest)
        #expect(r.responseType == .compressable)
        #expect(r.responseSize == 314_159)
        #expect(r.payload?.type == .compressable)
        #expect(r.payload?.body == [0, 1, 2, 0xfe, 0xff])
        #expect(r.fillUsername)
        #expect(!r.fillOauthScope)
        #expect(r.responseCompressed?.value == true)
        #expect(r.responseStatus?.code == 7)
        #expect(r.responseStatus?.message == "denied ✓")
        #expect(r.expectCompressed?.value == false)
        #expect(r.fillServerId)
        #expect(r.fillGrpclbRouteType)
        #expect(r.orcaPerQueryReport?.cpuUtilization == 0.5)
        #expect(r.orcaPerQueryReport?.memoryUtilization == 0.25)
        #expect(r.orcaOobReport == nil)
        // Field order and encoding match Python's byte for byte.
        #expect(try r.serializedBytes() == Self.simpleRequest)
    }

    @Test func mapsFromPython() throws {
        // LoadBalancerStatsResponse(rpcs_by_peer={"a": 1}, num_failures=3,
        //   rpcs_by_method={"UnaryCall": RpcsByPeer(rpcs_by_peer={"b": 2})})
        let bytes = hex("0a050a0161100110031a140a09556e61727943616c6c12070a050a01621002")
        let r = try Grpc_Testing_LoadBalancerStatsResponse(serializedBytes: bytes)
        #expect(r.rpcsByPeer == ["a": 1])
        #expect(r.numFailures == 3)
        #expect(r.rpcsByMethod.count == 1)
        #expect(r.rpcsByMethod["UnaryCall"]?.rpcsByPeer == ["b": 2])
        let again = try Grpc_Testing_LoadBalancerStatsResponse(serializedBytes: r.serializedBytes())
        #expect(again == r)
    }

    @Test func oneofFromPython() throws {
        // ServerReflectionRequest(host="h", file_containing_symbol="grpc.testing.TestService")
        let bytes = hex("0a01682218677270632e74657374696e672e5465737453657276696365")
        let r = try Grpc_Reflection_V1_ServerReflectionRequest(serializedBytes: bytes)
        #expect(r.host == "h")
        #expect(r.messageRequest == .fileContainingSymbol("grpc.testing.TestService"))
        #expect(try r.serializedBytes() == bytes)
    }

    @Test func statusWithDetailsFromPython() throws {
        // Status(code=3, message="bad", details=[Any.Pack(BadRequest(field_violations=[
        //   FieldViolation(field="spec.replicas", description="must be positive")]))])
        let bytes = hex(
            "080312036261641a500a29747970652e676f6f676c65617069732e636f6d2f676f6f676c652e72"
                + "70632e4261645265717565737412230a210a0d737065632e7265706c6963617312106d7573742062"
                + "6520706f736974697665")
        let status = try Google_Rpc_Status(serializedBytes: bytes)
        #expect(status.code == 3)
        #expect(status.message == "bad")
        let bad = try #require(try status.details.first?.unpack(Google_Rpc_BadRequest.self))
        #expect(bad.fieldViolations.map(\.field) == ["spec.replicas"])
        #expect(bad.fieldViolations.map(\.description) == ["must be positive"])
        #expect(try status.serializedBytes() == bytes)
    }

    @Test func unknownEnumValuesSurvive() throws {
        // SimpleResponse(username="alice", grpclb_route_type=99): 12 05 "alice" 28 63
        let bytes = hex("1205616c6963652863")
        let r = try Grpc_Testing_SimpleResponse(serializedBytes: bytes)
        #expect(r.username == "alice")
        #expect(r.grpclbRouteType.rawValue == 99)
        #expect(r.grpclbRouteType.description == "99")
        #expect(try r.serializedBytes() == bytes)
    }

    @Test func garbageThrows() {
        #expect(throws: ProtobufDecodingError.self) {
            try Grpc_Testing_SimpleRequest(serializedBytes: [0xff, 0xff, 0xff])
        }
        // A length-delimited field whose length runs past the end.
        #expect(throws: ProtobufDecodingError.self) {
            try Grpc_Testing_SimpleRequest(serializedBytes: [0x1a, 0x10, 0x01])
        }
        // A string field with the wrong wire type (varint instead of bytes).
        #expect(throws: ProtobufDecodingError.self) {
            try Grpc_Reflection_V1_ServerReflectionRequest(serializedBytes: [0x0a])
        }
    }
}

@Suite struct Registry {
    @Test func testProtoIsRegistered() throws {
        let test = try #require(ProtoFileRegistry.file(named: "grpc/testing/test.proto"))
        #expect(test.symbols.contains("grpc.testing.TestService"))
        #expect(test.symbols.contains("grpc.testing.TestService.UnaryCall"))
        #expect(test.services.contains("grpc.testing.TestService"))
        #expect(test.dependencies == ["grpc/testing/empty.proto", "grpc/testing/messages.proto"])
        #expect(ProtoFileRegistry.file(containingSymbol: "grpc.testing.TestService.UnaryCall")?.name == test.name)
        #expect(ProtoFileRegistry.file(containingSymbol: "grpc.testing.LoadBalancerStatsResponse.RpcsByPeer")?.name
            == "grpc/testing/messages.proto")
        #expect(ProtoFileRegistry.file(containingSymbol: "grpc.health.v1.Health")?.name == "grpc/health/v1/health.proto")
        #expect(ProtoFileRegistry.file(containingSymbol: "no.such.Symbol") == nil)

        let closure = ProtoFileRegistry.withDependencies(test).map(\.name)
        #expect(closure == ["grpc/testing/test.proto", "grpc/testing/empty.proto", "grpc/testing/messages.proto"])
        let status = try #require(ProtoFileRegistry.file(named: "google/rpc/status.proto"))
        #expect(ProtoFileRegistry.withDependencies(status).map(\.name) == ["google/rpc/status.proto", "google/protobuf/any.proto"])
    }

    @Test func descriptorsAreFileDescriptorProtos() throws {
        for file in ProtoFileRegistry.files {
            // FileDescriptorProto field 1 (name), length-delimited, comes first.
            let d = file.serializedDescriptor
            #expect(d.count > 2)
            #expect(d[0] == 0x0a)
            let length = Int(d[1])
            #expect(Array(d[2..<(2 + length)]) == Array(file.name.utf8))
        }
        #expect(ProtoFileRegistry.files.map(\.name) == ProtoFileRegistry.files.map(\.name).sorted())
        #expect(ProtoFileRegistry.serviceNames.contains("grpc.reflection.v1.ServerReflection"))
        #expect(ProtoFileRegistry.serviceNames.contains("grpc.reflection.v1alpha.ServerReflection"))
        #expect(Grpc_Testing_TestService.Method.unaryCall == "/grpc.testing.TestService/UnaryCall")
    }

    @Test func descriptorDecodesAsReflectionPayload() throws {
        // The bytes travel as-is in FileDescriptorResponse.file_descriptor_proto.
        let test = try #require(ProtoFileRegistry.file(named: "grpc/testing/test.proto"))
        var response = Grpc_Reflection_V1_FileDescriptorResponse()
        response.fileDescriptorProto = ProtoFileRegistry.withDependencies(test).map(\.serializedDescriptor)
        let decoded = try Grpc_Reflection_V1_FileDescriptorResponse(serializedBytes: response.serializedBytes())
        #expect(decoded.fileDescriptorProto.count == 3)
        #expect(decoded.fileDescriptorProto[0] == test.serializedDescriptor)
    }
}

@Suite struct FleetMessages {
    // `namespace` is a C++ keyword, so protoc-c names the C field `namespace_`;
    // the Swift binding must still carry it both ways.
    @Test func deploymentWithKeywordFieldMapsAndTimestampsRoundTrips() throws {
        var deployment = Fleet_V1_Deployment()
        deployment.id = "d-1"
        deployment.namespace = "ml-research"
        deployment.kind = .serving
        deployment.priority = .high
        deployment.state = .queued
        var resources = Fleet_V1_Resources()
        resources.cpuMillis = 4000
        resources.memoryBytes = 16 << 30
        resources.acceleratorType = "nvidia-tesla-a100"
        resources.acceleratorCount = 8
        deployment.resources = resources
        var created = Google_Protobuf_Timestamp()
        created.seconds = 1_800_000_000
        created.nanos = 5
        deployment.createTime = created

        let decoded = try Fleet_V1_Deployment(serializedBytes: try deployment.serializedBytes())
        #expect(decoded == deployment)
        #expect(decoded.namespace == "ml-research")
        #expect(decoded.resources?.memoryBytes == 16 << 30)
    }

    /// Far more fields than one arena chunk holds, strings of every length around the
    /// chunk's large-piece cut, and a field bigger than a chunk: encode and decode both
    /// build their C trees in the arena.
    @Test func aMessageLargerThanTheArenasChunksRoundTrips() throws {
        var response = Fleet_V1_ListDeploymentsResponse()
        for i in 0..<600 {
            var deployment = Fleet_V1_Deployment()
            deployment.id = "d-\(i)"
            deployment.name = String(repeating: "n", count: i * 7 % 2100)
            deployment.team = i.isMultiple(of: 2) ? "" : "team-\(i)"
            deployment.replicas = Int32(i)
            if i.isMultiple(of: 3) {
                var resources = Fleet_V1_Resources()
                resources.cpuMillis = Int64(i) * 1000
                resources.acceleratorType = "nvidia-tesla-a100"
                deployment.resources = resources
            }
            response.deployments.append(deployment)
        }
        response.nextPageToken = String(repeating: "t", count: 70_000)
        let bytes = try response.serializedBytes()
        let decoded = try Fleet_V1_ListDeploymentsResponse(serializedBytes: bytes)
        #expect(decoded == response)
        #expect(decoded.deployments[599].name.count == 599 * 7 % 2100)
        #expect(decoded.nextPageToken.count == 70_000)

        var request = Grpc_Testing_SimpleRequest()
        var payload = Grpc_Testing_Payload()
        payload.body = (0..<(3 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        request.payload = payload
        #expect(try Grpc_Testing_SimpleRequest(serializedBytes: request.serializedBytes()) == request)
    }

    @Test func reserveRequestOneofAndQuotaMap() throws {
        var request = Fleet_V1_ReserveRequest()
        request.requestId = "r-1"
        var duration = Google_Protobuf_Duration()
        duration.seconds = 3600
        request.until = .duration(duration)
        var quota = Fleet_V1_QuotaLimits()
        quota.accelerators = ["nvidia.com/gpu": 16]
        request.quota = quota
        let decoded = try Fleet_V1_ReserveRequest(serializedBytes: try request.serializedBytes())
        #expect(decoded.until == .duration(duration))
        #expect(decoded.quota?.accelerators["nvidia.com/gpu"] == 16)
    }
}
