"""h2 over TLS with ALPN, from a stock grpcio client with a certificate it trusts."""
import os
import socket
import ssl
import subprocess
import tempfile

import grpc
import pytest

from conftest import serve


@pytest.fixture(scope="module")
def certificate():
    directory = tempfile.mkdtemp(prefix="fleetd-tls-")
    cert, key = os.path.join(directory, "cert.pem"), os.path.join(directory, "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
                    "-keyout", key, "-out", cert], check=True, capture_output=True)
    return cert, key


@pytest.fixture(scope="module")
def tls_server(certificate):
    cert, key = certificate
    yield from serve("interop-server", "--tls-cert", cert, "--tls-key", key)


def test_grpcio_over_tls(tls_server, certificate, stubs):
    with open(certificate[0], "rb") as f:
        credentials = grpc.ssl_channel_credentials(root_certificates=f.read())
    with grpc.secure_channel(f"localhost:{tls_server.port}", credentials) as channel:
        stub = stubs["test"].TestServiceStub(channel)
        m = stubs["messages"]
        response = stub.UnaryCall(m.SimpleRequest(response_size=314159, payload=m.Payload(body=b"\0" * 271828)),
                                  timeout=10)
        assert len(response.payload.body) == 314159
        sizes = [len(r.payload.body) for r in stub.StreamingOutputCall(
            m.StreamingOutputCallRequest(response_parameters=[m.ResponseParameters(size=n) for n in (1, 2, 3)]))]
        assert sizes == [1, 2, 3]


def test_alpn_selects_h2(tls_server, certificate):
    context = ssl.create_default_context(cafile=certificate[0])
    context.set_alpn_protocols(["h2", "http/1.1"])
    with socket.create_connection(("127.0.0.1", tls_server.port), timeout=10) as raw:
        with context.wrap_socket(raw, server_hostname="localhost") as tls:
            assert tls.selected_alpn_protocol() == "h2"
            assert tls.version() in ("TLSv1.2", "TLSv1.3")


def test_plaintext_client_is_refused_by_tls_server(tls_server, stubs):
    with grpc.insecure_channel(tls_server.address) as channel:
        with pytest.raises(grpc.RpcError) as error:
            stubs["test"].TestServiceStub(channel).EmptyCall(stubs["empty"].Empty(), timeout=5)
        assert error.value.code() == grpc.StatusCode.UNAVAILABLE
    assert tls_server.alive()
