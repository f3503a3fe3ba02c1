"""TLS verification is always on (issue 8): a self-signed certificate is refused with a clear
message, the host name is checked, and a Plex ``plex.direct`` address is used as it is, so its
certificate (issued for ``*.<hash>.plex.direct``) verifies.

A local certificate authority stands in for the public one behind plex.direct; it is trusted
through ``SSL_CERT_FILE``, the standard way to add a CA, which Curator's client honours."""

from __future__ import annotations

import datetime
import http.server
import ipaddress
import json
import re
import shutil
import socket
import ssl
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from curator.domain.errors import Unreachable
from curator.net.http import create_client
from curator.plex.client import PlexClient

PLEX_DIRECT = "127-0-0-1.0123456789abcdef0123456789abcdef.plex.direct"
CURATOR = Path(__file__).resolve().parents[2] / "curator"


@dataclass(frozen=True)
class Certificates:
    ca: Path
    plex_direct: tuple[Path, Path]  # (certificate, key) for *.<hash>.plex.direct, signed by ``ca``
    self_signed: tuple[Path, Path]  # (certificate, key) for 127.0.0.1, signed by itself


def _with_cryptography(folder: Path) -> Certificates:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = datetime.datetime.now(datetime.UTC)

    def write(name: str, cert: x509.Certificate, key: ec.EllipticCurvePrivateKey) -> tuple[Path, Path]:
        cert_path, key_path = folder / f"{name}.pem", folder / f"{name}.key"
        cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                               serialization.NoEncryption()))
        return cert_path, key_path

    def build(subject: str, key: ec.EllipticCurvePrivateKey, issuer: str, issuer_key: ec.EllipticCurvePrivateKey,
              *, ca: bool, names: list[x509.GeneralName]) -> x509.Certificate:
        builder = (x509.CertificateBuilder()
                   .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
                   .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, issuer)]))
                   .public_key(key.public_key()).serial_number(x509.random_serial_number())
                   .not_valid_before(now - datetime.timedelta(hours=1))
                   .not_valid_after(now + datetime.timedelta(days=2))
                   .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
                   .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
                   .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()),
                                  critical=False))
        if ca:
            builder = builder.add_extension(x509.KeyUsage(
                digital_signature=True, content_commitment=False, key_encipherment=False, data_encipherment=False,
                key_agreement=False, key_cert_sign=True, crl_sign=True, encipher_only=False,
                decipher_only=False), critical=True)
        else:
            builder = builder.add_extension(x509.SubjectAlternativeName(names), critical=False).add_extension(
                x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        return builder.sign(issuer_key, hashes.SHA256())

    ca_key, leaf_key, self_key = (ec.generate_private_key(ec.SECP256R1()) for _ in range(3))
    ca_cert = build("Curator Test CA", ca_key, "Curator Test CA", ca_key, ca=True, names=[])
    wildcard = "*." + PLEX_DIRECT.split(".", 1)[1]
    leaf = build(wildcard, leaf_key, "Curator Test CA", ca_key, ca=False, names=[x509.DNSName(wildcard)])
    self_signed = build("127.0.0.1", self_key, "127.0.0.1", self_key, ca=False,
                        names=[x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")])
    ca_path, _ = write("ca", ca_cert, ca_key)
    return Certificates(ca_path, write("plex-direct", leaf, leaf_key), write("self-signed", self_signed, self_key))


def _with_openssl(folder: Path) -> Certificates:
    def run(*args: str) -> None:
        subprocess.run(["openssl", *args], cwd=folder, check=True, capture_output=True)

    wildcard = "*." + PLEX_DIRECT.split(".", 1)[1]
    run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2",
        "-subj", "/CN=Curator Test CA", "-addext", "basicConstraints=critical,CA:TRUE",
        "-addext", "keyUsage=critical,keyCertSign,cRLSign")
    run("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "plex-direct.key", "-out", "plex-direct.csr",
        "-subj", f"/CN={wildcard}")
    (folder / "leaf.ext").write_text(f"subjectAltName=DNS:{wildcard}\nextendedKeyUsage=serverAuth\n"
                                     "basicConstraints=critical,CA:FALSE\n")
    run("x509", "-req", "-in", "plex-direct.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
        "-out", "plex-direct.pem", "-days", "2", "-extfile", "leaf.ext")
    run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "self-signed.key", "-out", "self-signed.pem",
        "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost")
    return Certificates(folder / "ca.pem", (folder / "plex-direct.pem", folder / "plex-direct.key"),
                        (folder / "self-signed.pem", folder / "self-signed.key"))


@pytest.fixture(scope="module")
def certificates(tmp_path_factory) -> Certificates:
    folder = tmp_path_factory.mktemp("tls")
    try:
        return _with_cryptography(folder)
    except ImportError:
        if shutil.which("openssl"):
            return _with_openssl(folder)
    pytest.skip("neither the cryptography package nor the openssl command is available to make certificates")


class _IdentityHandler(http.server.BaseHTTPRequestHandler):
    """Answers like a Plex server's ``/identity``; remembers the Host each request named."""

    hosts: list[str]

    def do_GET(self) -> None:
        self.hosts.append(self.headers.get("Host", ""))
        body = json.dumps({"MediaContainer": {"size": 0, "machineIdentifier": "tls-test-server",
                                              "version": "1.41.3"}}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        return


@dataclass
class HttpsServer:
    port: int
    hosts: list[str]


def _serve(cert: tuple[Path, Path]) -> Iterator[HttpsServer]:
    hosts: list[str] = []
    handler = type("Handler", (_IdentityHandler,), {"hosts": hosts})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*cert)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    try:
        yield HttpsServer(server.server_address[1], hosts)
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def self_signed_server(certificates) -> Iterator[HttpsServer]:
    yield from _serve(certificates.self_signed)


@pytest.fixture
def plex_direct_server(certificates, monkeypatch) -> Iterator[HttpsServer]:
    """The server, and ``*.plex.direct`` names resolving to loopback (as plex.direct's DNS does
    for the address encoded in the name)."""
    resolve = socket.getaddrinfo

    def plex_direct_resolver(host, *args, **kwargs):
        name = host.decode() if isinstance(host, bytes) else (host or "")
        return resolve("127.0.0.1" if name.endswith(".plex.direct") else host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", plex_direct_resolver)
    yield from _serve(certificates.plex_direct)


def test_no_code_turns_tls_verification_off():
    forbidden = re.compile(r"verify\s*=\s*False|CERT_NONE|check_hostname\s*=\s*False|_create_unverified_context"
                           r"|PYTHONHTTPSVERIFY|ssl_context\s*=\s*None")
    offenders = [f"{path.relative_to(CURATOR.parent)}:{number}"
                 for path in CURATOR.rglob("*.py")
                 for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
                 if forbidden.search(line)]
    assert offenders == []


@pytest.mark.asyncio
async def test_a_self_signed_certificate_is_refused(self_signed_server):
    async with create_client() as http:
        client = PlexClient(http, f"https://127.0.0.1:{self_signed_server.port}", "tls-token-0000",
                            client_identifier="reliability")
        with pytest.raises(Unreachable) as caught:
            await client.probe()
    assert str(caught.value) == "Plex: could not connect (its TLS certificate could not be verified)"
    assert self_signed_server.hosts == []  # no request was sent over the unverified connection


@pytest.mark.asyncio
async def test_a_plex_direct_address_is_used_as_is_and_its_certificate_verifies(
        plex_direct_server, certificates, monkeypatch):
    url = f"https://{PLEX_DIRECT}:{plex_direct_server.port}"
    async with create_client() as http:  # the default trust store does not know the test CA
        with pytest.raises(Unreachable, match="could not be verified"):
            await PlexClient(http, url, "tls-token-0000", client_identifier="reliability").probe()

    monkeypatch.setenv("SSL_CERT_FILE", str(certificates.ca))
    async with create_client() as http:
        client = PlexClient(http, url, "tls-token-0000", client_identifier="reliability")
        assert client.base_url == url
        server = await client.probe()
        assert server.machine_identifier == "tls-test-server"
        assert plex_direct_server.hosts == [f"{PLEX_DIRECT}:{plex_direct_server.port}"]

        # The same server by its IP address: the certificate does not name it, so it is refused.
        by_address = PlexClient(http, f"https://127.0.0.1:{plex_direct_server.port}", "tls-token-0000",
                                client_identifier="reliability")
        with pytest.raises(Unreachable, match="could not be verified"):
            await by_address.probe()
