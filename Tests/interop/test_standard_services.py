"""grpc.health.v1 and server reflection, checked with the stock grpcio clients."""
import grpc
import pytest
from google.protobuf import descriptor_pool
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha.proto_reflection_descriptor_database import ProtoReflectionDescriptorDatabase


def test_health_check_serving_and_unknown(channel):
    stub = health_pb2_grpc.HealthStub(channel)
    assert stub.Check(health_pb2.HealthCheckRequest(service="")).status == health_pb2.HealthCheckResponse.SERVING
    with pytest.raises(grpc.RpcError) as error:
        stub.Check(health_pb2.HealthCheckRequest(service="no.such.Service"))
    assert error.value.code() == grpc.StatusCode.NOT_FOUND


def test_health_watch_sends_current_status(channel):
    stub = health_pb2_grpc.HealthStub(channel)
    updates = stub.Watch(health_pb2.HealthCheckRequest(service=""))
    assert next(updates).status == health_pb2.HealthCheckResponse.SERVING
    unknown = stub.Watch(health_pb2.HealthCheckRequest(service="no.such.Service"))
    assert next(unknown).status == health_pb2.HealthCheckResponse.SERVICE_UNKNOWN
    updates.cancel()
    unknown.cancel()


def test_reflection_v1alpha_with_the_grpcio_reflection_client(channel):
    database = ProtoReflectionDescriptorDatabase(channel)
    services = database.get_services()
    assert "grpc.testing.TestService" in services
    assert "grpc.health.v1.Health" in services
    assert "grpc.reflection.v1.ServerReflection" in services
    pool = descriptor_pool.DescriptorPool(database)
    service = pool.FindServiceByName("grpc.testing.TestService")
    assert "UnaryCall" in [m.name for m in service.methods]
    assert service.methods_by_name["UnaryCall"].input_type.full_name == "grpc.testing.SimpleRequest"
    message = pool.FindMessageTypeByName("grpc.testing.StreamingOutputCallRequest")
    assert "response_parameters" in message.fields_by_name


def test_reflection_v1_file_by_name_and_errors(channel, stubs):
    r = stubs["reflection"]
    stub = stubs["reflection_grpc"].ServerReflectionStub(channel)
    requests = [
        r.ServerReflectionRequest(list_services=""),
        r.ServerReflectionRequest(file_by_filename="grpc/testing/test.proto"),
        r.ServerReflectionRequest(file_containing_symbol="grpc.health.v1.Health.Check"),
        r.ServerReflectionRequest(file_by_filename="no/such.proto"),
    ]
    responses = list(stub.ServerReflectionInfo(iter(requests)))
    assert len(responses) == 4
    names = [s.name for s in responses[0].list_services_response.service]
    assert "grpc.reflection.v1alpha.ServerReflection" in names
    from google.protobuf import descriptor_pb2
    files = [descriptor_pb2.FileDescriptorProto.FromString(b)
             for b in responses[1].file_descriptor_response.file_descriptor_proto]
    assert files[0].name == "grpc/testing/test.proto"
    assert {"grpc/testing/empty.proto", "grpc/testing/messages.proto"} <= {f.name for f in files}
    health = descriptor_pb2.FileDescriptorProto.FromString(
        responses[2].file_descriptor_response.file_descriptor_proto[0])
    assert health.name == "grpc/health/v1/health.proto"
    assert responses[3].error_response.error_code == grpc.StatusCode.NOT_FOUND.value[0]
