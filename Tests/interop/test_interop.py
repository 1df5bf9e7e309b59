"""The gRPC interop cases of grpc/grpc doc/interop-test-descriptions.md, run by grpcio
against interop-server."""
import grpc
import pytest

REQUEST_SIZES = [27182, 8, 1828, 45904]
RESPONSE_SIZES = [31415, 9, 2653, 58979]


def test_empty_unary(channel, stubs):
    stub = stubs["test"].TestServiceStub(channel)
    response = stub.EmptyCall(stubs["empty"].Empty())
    assert response == stubs["empty"].Empty()


def test_large_unary(channel, stubs):
    m = stubs["messages"]
    stub = stubs["test"].TestServiceStub(channel)
    request = m.SimpleRequest(response_type=m.COMPRESSABLE, response_size=314159,
                              payload=m.Payload(body=b"\0" * 271828))
    response = stub.UnaryCall(request)
    assert response.payload.type == m.COMPRESSABLE
    assert len(response.payload.body) == 314159
    assert response.payload.body == b"\0" * 314159


def test_client_streaming(channel, stubs):
    m = stubs["messages"]
    stub = stubs["test"].TestServiceStub(channel)
    requests = (m.StreamingInputCallRequest(payload=m.Payload(body=b"\0" * n)) for n in REQUEST_SIZES)
    response = stub.StreamingInputCall(requests)
    assert response.aggregated_payload_size == 74922


def test_server_streaming(channel, stubs):
    m = stubs["messages"]
    stub = stubs["test"].TestServiceStub(channel)
    request = m.StreamingOutputCallRequest(
        response_type=m.COMPRESSABLE,
        response_parameters=[m.ResponseParameters(size=n) for n in RESPONSE_SIZES])
    sizes = [len(r.payload.body) for r in stub.StreamingOutputCall(request)]
    assert sizes == RESPONSE_SIZES


def test_server_streaming_paced_by_interval_us(channel, stubs):
    import time
    m = stubs["messages"]
    stub = stubs["test"].TestServiceStub(channel)
    request = m.StreamingOutputCallRequest(
        response_parameters=[m.ResponseParameters(size=1, interval_us=100_000) for _ in range(3)])
    start = time.monotonic()
    assert len(list(stub.StreamingOutputCall(request))) == 3
    assert time.monotonic() - start >= 0.3


def test_ping_pong(channel, stubs):
    m = stubs["messages"]
    stub = stubs["test"].TestServiceStub(channel)
    import queue
    requests = queue.Queue()

    def request_iterator():
        while True:
            item = requests.get()
            if item is None:
                return
            yield item

    responses = stub.FullDuplexCall(request_iterator())
    for req_size, resp_size in zip(REQUEST_SIZES, RESPONSE_SIZES):
        requests.put(m.StreamingOutputCallRequest(
            response_type=m.COMPRESSABLE, response_parameters=[m.ResponseParameters(size=resp_size)],
            payload=m.Payload(body=b"\0" * req_size)))
        response = next(responses)
        assert len(response.payload.body) == resp_size
    requests.put(None)
    assert list(responses) == []
    assert responses.code() == grpc.StatusCode.OK


def test_empty_stream(channel, stubs):
    stub = stubs["test"].TestServiceStub(channel)
    responses = stub.FullDuplexCall(iter([]))
    assert list(responses) == []
    assert responses.code() == grpc.StatusCode.OK


def test_cancel_after_begin(channel, stubs):
    import threading
    stub = stubs["test"].TestServiceStub(channel)
    never = threading.Event()

    def requests():
        never.wait(10)
        return
        yield

    future = stub.StreamingInputCall.future(requests())
    future.cancel()
    never.set()
    with pytest.raises(grpc.FutureCancelledError):
        future.result()
    assert future.cancelled()


def test_cancel_after_first_response(channel, stubs):
    m = stubs["messages"]
    stub = stubs["test"].TestServiceStub(channel)
    import queue
    requests = queue.Queue()

    def request_iterator():
        while True:
            item = requests.get()
            if item is None:
                return
            yield item

    responses = stub.FullDuplexCall(request_iterator())
    requests.put(m.StreamingOutputCallRequest(
        response_parameters=[m.ResponseParameters(size=31415)], payload=m.Payload(body=b"\0" * 27182)))
    assert len(next(responses).payload.body) == 31415
    responses.cancel()
    requests.put(None)
    with pytest.raises(grpc.RpcError) as error:
        next(responses)
    assert error.value.code() == grpc.StatusCode.CANCELLED


def test_timeout_on_sleeping_server(channel, stubs):
    m = stubs["messages"]
    stub = stubs["test"].TestServiceStub(channel)
    import threading
    done = threading.Event()

    def requests():
        yield m.StreamingOutputCallRequest(payload=m.Payload(body=b"\0" * 27182))
        done.wait(5)

    with pytest.raises(grpc.RpcError) as error:
        list(stub.FullDuplexCall(requests(), timeout=0.001))
    done.set()
    assert error.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED


def test_server_enforces_deadline_on_slow_handler(channel, stubs):
    """The server itself ends a call whose grpc-timeout passes while its handler sleeps."""
    m = stubs["messages"]
    stub = stubs["test"].TestServiceStub(channel)
    request = m.StreamingOutputCallRequest(response_parameters=[m.ResponseParameters(size=1, interval_us=2_000_000)])
    with pytest.raises(grpc.RpcError) as error:
        list(stub.StreamingOutputCall(request, timeout=0.2))
    assert error.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED


def test_status_code_and_message(channel, stubs):
    m = stubs["messages"]
    stub = stubs["test"].TestServiceStub(channel)
    status = m.EchoStatus(code=2, message="test status message")
    with pytest.raises(grpc.RpcError) as error:
        stub.UnaryCall(m.SimpleRequest(response_status=status))
    assert error.value.code() == grpc.StatusCode.UNKNOWN
    assert error.value.details() == "test status message"

    with pytest.raises(grpc.RpcError) as error:
        list(stub.FullDuplexCall(iter([m.StreamingOutputCallRequest(response_status=status)])))
    assert error.value.code() == grpc.StatusCode.UNKNOWN
    assert error.value.details() == "test status message"


def test_special_status_message(channel, stubs):
    m = stubs["messages"]
    stub = stubs["test"].TestServiceStub(channel)
    text = "\t\ntest with whitespace\r\nand Unicode BMP ☺ and non-BMP 😈\t\n"
    with pytest.raises(grpc.RpcError) as error:
        stub.UnaryCall(m.SimpleRequest(response_status=m.EchoStatus(code=2, message=text)))
    assert error.value.code() == grpc.StatusCode.UNKNOWN
    assert error.value.details() == text


def test_custom_metadata(channel, stubs):
    m = stubs["messages"]
    stub = stubs["test"].TestServiceStub(channel)
    metadata = (("x-grpc-test-echo-initial", "test_initial_metadata_value"),
                ("x-grpc-test-echo-trailing-bin", b"\xab\xab\xab"))
    response, call = stub.UnaryCall.with_call(
        m.SimpleRequest(response_size=314159, payload=m.Payload(body=b"\0" * 271828)), metadata=metadata)
    assert len(response.payload.body) == 314159
    assert ("x-grpc-test-echo-initial", "test_initial_metadata_value") in call.initial_metadata()
    assert ("x-grpc-test-echo-trailing-bin", b"\xab\xab\xab") in call.trailing_metadata()

    responses = stub.FullDuplexCall(iter([m.StreamingOutputCallRequest(
        response_parameters=[m.ResponseParameters(size=314159)], payload=m.Payload(body=b"\0" * 271828))]),
        metadata=metadata)
    assert [len(r.payload.body) for r in responses] == [314159]
    assert ("x-grpc-test-echo-initial", "test_initial_metadata_value") in responses.initial_metadata()
    assert ("x-grpc-test-echo-trailing-bin", b"\xab\xab\xab") in responses.trailing_metadata()


def test_unimplemented_method(channel, stubs):
    stub = stubs["test"].TestServiceStub(channel)
    with pytest.raises(grpc.RpcError) as error:
        stub.UnimplementedCall(stubs["empty"].Empty())
    assert error.value.code() == grpc.StatusCode.UNIMPLEMENTED


def test_unimplemented_service(channel, stubs):
    stub = stubs["test"].UnimplementedServiceStub(channel)
    with pytest.raises(grpc.RpcError) as error:
        stub.UnimplementedCall(stubs["empty"].Empty())
    assert error.value.code() == grpc.StatusCode.UNIMPLEMENTED


def test_many_concurrent_calls_on_one_connection(channel, stubs):
    m = stubs["messages"]
    stub = stubs["test"].TestServiceStub(channel)
    futures = [stub.UnaryCall.future(m.SimpleRequest(response_size=i)) for i in range(500)]
    assert [len(f.result().payload.body) for f in futures] == list(range(500))


def test_client_compressed_unary_and_streaming(interop_server, stubs):
    """grpcio sends gzip-compressed messages (grpc-encoding: gzip); the server inflates them."""
    m = stubs["messages"]
    with grpc.insecure_channel(interop_server.address, compression=grpc.Compression.Gzip) as ch:
        stub = stubs["test"].TestServiceStub(ch)
        response = stub.UnaryCall(m.SimpleRequest(response_size=1000, payload=m.Payload(body=b"\0" * 271828)))
        assert len(response.payload.body) == 1000
        requests = (m.StreamingInputCallRequest(payload=m.Payload(body=b"\0" * n)) for n in REQUEST_SIZES)
        assert stub.StreamingInputCall(requests).aggregated_payload_size == 74922
