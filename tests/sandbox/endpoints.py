"""Docker endpoints for tests: socat in front of the local socket, plain TCP or TCP with TLS."""

from __future__ import annotations

import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

LOCAL_SOCKET = "/var/run/docker.sock"


def free_port() -> int:
    """A port on 127.0.0.1 nobody listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Socat:
    """Runs socat as a TCP (or TLS) listener on 127.0.0.1 that forwards to the local engine."""

    @staticmethod
    @contextmanager
    def tcp(tls_dir: Path | None = None) -> Iterator[str]:
        """Yield tcp://127.0.0.1:PORT; with tls_dir (from make_tls), the listener speaks TLS."""
        port = free_port()
        if tls_dir is None:
            listen = f"TCP-LISTEN:{port},bind=127.0.0.1,fork,reuseaddr"
        else:
            listen = (f"OPENSSL-LISTEN:{port},bind=127.0.0.1,fork,reuseaddr,"
                      f"cert={tls_dir / 'server-cert.pem'},key={tls_dir / 'server-key.pem'},"
                      f"cafile={tls_dir / 'ca.pem'},verify=1")
        proc = subprocess.Popen(["socat", listen, f"UNIX-CONNECT:{LOCAL_SOCKET}"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            for _ in range(100):
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                    break
                except OSError as exc:
                    if proc.poll() is not None:
                        why = proc.stderr.read() if proc.stderr else b""
                        raise RuntimeError(f"socat exited: {why!r}") from exc
                    time.sleep(0.05)
            yield f"tcp://127.0.0.1:{port}"
        finally:
            proc.terminate()
            proc.wait(timeout=10)
            if proc.stderr is not None:
                proc.stderr.close()


def make_tls(folder: Path) -> Path:
    """A CA, a server certificate for 127.0.0.1 and a client certificate, with openssl.

    The folder holds ca.pem, cert.pem and key.pem (the client's, as DOCKER_CERT_PATH wants)
    and server-cert.pem, server-key.pem for the listener.
    """
    folder.mkdir(parents=True, exist_ok=True)

    def run(*args: str) -> None:
        subprocess.run(["openssl", *args], cwd=folder, check=True, capture_output=True)

    run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=test-ca",
        "-keyout", "ca-key.pem", "-out", "ca.pem")
    for name, subject, ext in (
        ("server", "/CN=127.0.0.1", "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth"),
        ("client", "/CN=client", "extendedKeyUsage=clientAuth"),
    ):
        (folder / f"{name}.ext").write_text(ext + "\n")
        run("req", "-newkey", "rsa:2048", "-nodes", "-subj", subject,
            "-keyout", f"{name}-key.pem", "-out", f"{name}.csr")
        run("x509", "-req", "-in", f"{name}.csr", "-CA", "ca.pem", "-CAkey", "ca-key.pem",
            "-CAcreateserial", "-days", "1", "-extfile", f"{name}.ext",
            "-out", f"{name}-cert.pem")
    (folder / "cert.pem").write_bytes((folder / "client-cert.pem").read_bytes())
    (folder / "key.pem").write_bytes((folder / "client-key.pem").read_bytes())
    return folder


@contextmanager
def sshd(folder: Path) -> Iterator[tuple[str, Path]]:
    """An sshd on 127.0.0.1 that lets this user in with a fresh key.

    Yields (ssh://USER@127.0.0.1:PORT, a bin folder whose `ssh` uses that key and trusts that
    host: put it first on PATH, as the docker SDK runs plain `ssh`).
    """
    import getpass
    import shutil

    folder.mkdir(parents=True, exist_ok=True)
    for name in ("host_key", "client_key"):
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(folder / name)],
                       check=True, capture_output=True)
    (folder / "authorized_keys").write_bytes((folder / "client_key.pub").read_bytes())
    port = free_port()
    config = folder / "sshd_config"
    config.write_text(
        f"ListenAddress 127.0.0.1\nPort {port}\nHostKey {folder / 'host_key'}\n"
        f"AuthorizedKeysFile {folder / 'authorized_keys'}\nPidFile {folder / 'sshd.pid'}\n"
        "PasswordAuthentication no\nKbdInteractiveAuthentication no\nUsePAM no\n"
        "StrictModes no\nPermitRootLogin prohibit-password\n")
    client = folder / "ssh_config"
    client.write_text(
        f"Host 127.0.0.1\n  IdentityFile {folder / 'client_key'}\n  IdentitiesOnly yes\n"
        f"  StrictHostKeyChecking no\n  UserKnownHostsFile /dev/null\n  BatchMode yes\n"
        # The SDK opens an ssh process per API connection: share one session between them.
        f"  ControlMaster auto\n  ControlPath {Path(tempfile.gettempdir()) / 'gbssh-%C'}\n"
        "  ControlPersist 60\n"
        "  LogLevel ERROR\n")
    bin_dir = folder / "bin"
    bin_dir.mkdir()
    wrapper = bin_dir / "ssh"
    wrapper.write_text(f"#!/bin/sh\nexec {shutil.which('ssh')} -F {client} \"$@\"\n")
    wrapper.chmod(0o755)
    Path("/run/sshd").mkdir(exist_ok=True)  # sshd's privilege separation directory
    proc = subprocess.Popen([shutil.which("sshd") or "/usr/sbin/sshd", "-D", "-e", "-f",
                             str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError as exc:
                if proc.poll() is not None:
                    why = proc.stderr.read() if proc.stderr else b""
                    raise RuntimeError(f"sshd exited: {why!r}") from exc
                time.sleep(0.05)
        yield f"ssh://{getpass.getuser()}@127.0.0.1:{port}", bin_dir
    finally:
        subprocess.run([str(wrapper), "-O", "exit", "-p", str(port), "127.0.0.1"],
                       capture_output=True, check=False)  # the shared session's master
        proc.terminate()
        proc.wait(timeout=10)
        if proc.stderr is not None:
            proc.stderr.close()
