"""A fake of Microsoft's identity endpoints, reached over loopback with their real URLs.

The SDK fetches Bot Connector signing keys from ``https://login.botframework.com`` (PyJWT)
and MSAL gets the bot's own tokens from ``https://login.microsoftonline.com``. Neither URL
can be configured, so instead of patching either library this fake is an HTTPS proxy:
``HTTPS_PROXY`` sends their requests here (a CONNECT tunnel), TLS is terminated with a
certificate for those hosts issued by a test CA, and ``REQUESTS_CA_BUNDLE`` /
``SSL_CERT_FILE`` make the clients trust that CA. It runs in its own threads because MSAL
makes blocking calls from the event loop.
"""

from __future__ import annotations

import datetime as dt
import json
import socket
import socketserver
import ssl
import threading
import time
import urllib.parse
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import jwt
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

BOT_FRAMEWORK_ISSUER = "https://api.botframework.com"
HOSTS = ("login.botframework.com", "login.microsoftonline.com")
ACCESS_TOKEN = "fake-bot-access-token"


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _tls_files(directory: Path) -> tuple[Path, Path, Path]:
    """A test CA and a server certificate for HOSTS: (ca.pem, server.pem, server.key)."""
    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(_name("budgetbot test CA"))
        .issuer_name(_name("budgetbot test CA"))
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(HOSTS[0]))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(h) for h in HOSTS]), False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), False
        )
        .sign(ca_key, hashes.SHA256())
    )
    ca_pem, cert_pem, key_pem = (
        directory / "ca.pem",
        directory / "server.pem",
        directory / "key.pem",
    )
    ca_pem.write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    cert_pem.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_pem.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return ca_pem, cert_pem, key_pem


@dataclass
class FakeMicrosoftIdentity:
    """Signing keys (JWKS) and the client-credentials token endpoint, over a TLS proxy."""

    directory: Path
    kid: str = "budgetbot-test-key"
    token_requests: list[dict[str, str]] = field(default_factory=list)
    key_requests: int = 0
    proxy_url: str = ""
    ca_file: Path = field(init=False)

    def __post_init__(self) -> None:
        self.signing_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.ca_file, cert, key = _tls_files(self.directory)
        self.tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self.tls.load_cert_chain(cert, key)
        self._server: socketserver.ThreadingTCPServer | None = None

    def start(self) -> None:
        identity = self

        class Tunnel(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                identity._tunnel(self.request)

        self._server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Tunnel)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        self.proxy_url = f"http://127.0.0.1:{self._server.server_address[1]}"

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def environ(self) -> dict[str, str]:
        """What makes HTTPS clients in this process reach the fake (and trust it)."""
        return {
            "HTTPS_PROXY": self.proxy_url,
            "https_proxy": self.proxy_url,
            "NO_PROXY": "127.0.0.1,localhost",
            "no_proxy": "127.0.0.1,localhost",
            "REQUESTS_CA_BUNDLE": str(self.ca_file),
            "SSL_CERT_FILE": str(self.ca_file),
        }

    # --- tokens the Bot Connector would send us ---------------------------------------------

    def channel_token(self, app_id: str, service_url: str, **claims: Any) -> str:
        """A Bot Connector → bot JWT, signed with the published key (override claims freely)."""
        now = int(time.time())
        payload = {
            "iss": BOT_FRAMEWORK_ISSUER,
            "aud": app_id,
            "serviceurl": service_url,
            "nbf": now - 60,
            "iat": now - 60,
            "exp": now + 3600,
            **claims,
        }
        return jwt.encode(payload, self.signing_key, algorithm="RS256", headers={"kid": self.kid})

    def jwks(self) -> dict[str, Any]:
        key = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.signing_key.public_key()))
        key.update({"kid": self.kid, "use": "sig", "endorsements": ["msteams"]})
        return {"keys": [key]}

    # --- the proxy and the endpoints ------------------------------------------------------

    def _tunnel(self, raw: socket.socket) -> None:
        head = b""
        while not head.endswith(b"\r\n\r\n") and len(head) < 8192:
            chunk = raw.recv(1)
            if not chunk:
                return
            head += chunk
        method, target, _version = head.split(b"\r\n", 1)[0].decode().split(" ", 2)
        host = target.rsplit(":", 1)[0]
        if method != "CONNECT" or host not in HOSTS:
            raw.sendall(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")
            return
        raw.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
        with self.tls.wrap_socket(raw, server_side=True) as tls:
            _Endpoint(tls, ("127.0.0.1", 0), None, identity=self, host=host)

    def answer(self, host: str, method: str, path: str, form: dict[str, str]) -> Any:
        """The JSON body for one request, or None for 404."""
        parts = [p for p in urllib.parse.urlsplit(path).path.split("/") if p]
        if host == "login.botframework.com" and parts == ["v1", ".well-known", "keys"]:
            self.key_requests += 1
            return self.jwks()
        if host != "login.microsoftonline.com" or not parts:
            return None
        base = f"https://{host}/{parts[0]}"
        if parts[1:] == ["v2.0", ".well-known", "openid-configuration"]:
            return {
                "issuer": f"{base}/v2.0",
                "authorization_endpoint": f"{base}/oauth2/v2.0/authorize",
                "token_endpoint": f"{base}/oauth2/v2.0/token",
                "device_authorization_endpoint": f"{base}/oauth2/v2.0/devicecode",
                "jwks_uri": f"{base}/discovery/v2.0/keys",
            }
        if method == "POST" and parts[1:] == ["oauth2", "v2.0", "token"]:
            self.token_requests.append({"tenant": parts[0], **form})
            return {
                "token_type": "Bearer",
                "expires_in": 3600,
                "ext_expires_in": 3600,
                "access_token": ACCESS_TOKEN,
                "correlation_id": str(uuid.uuid4()),
            }
        return None


class _Endpoint(BaseHTTPRequestHandler):
    """One HTTPS request inside a tunnel (HTTP/1.0: the connection closes after it)."""

    def __init__(self, *args: Any, identity: FakeMicrosoftIdentity, host: str) -> None:
        self.identity = identity
        self.host = host
        super().__init__(*args)  # type: ignore[arg-type]

    def do_GET(self) -> None:  # noqa: N802 - the http.server naming
        self._respond("GET", {})

    def do_POST(self) -> None:  # noqa: N802
        length = int(self.headers.get("Content-Length") or 0)
        form = dict(urllib.parse.parse_qsl(self.rfile.read(length).decode()))
        self._respond("POST", form)

    def _respond(self, method: str, form: dict[str, str]) -> None:
        body = self.identity.answer(self.host, method, self.path, form)
        data = json.dumps(body if body is not None else {"error": "not_found"}).encode()
        self.send_response(200 if body is not None else 404)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        """Quiet."""
