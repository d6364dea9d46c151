"""`glassbox serve`: the same dashboard in a web browser, through textual-serve."""

from __future__ import annotations

import argparse
import ipaddress
import shlex
import socket
import sys
from typing import Any

from engine.errors import GlassboxError

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000


def register(sub: Any) -> None:
    """Add `serve`."""
    serve = sub.add_parser("serve", help="serve the dashboard to a web browser (on loopback by default)")
    serve.add_argument("--host", default=DEFAULT_HOST,
                       help=f"address to listen on (default {DEFAULT_HOST}; others are reachable "
                       "from the network, with no login)")
    serve.add_argument("--port", type=_port, default=DEFAULT_PORT,
                       help=f"TCP port (default {DEFAULT_PORT})")
    serve.add_argument("--public-url", metavar="URL",
                       help="the URL browsers reach the server at, if not http://HOST:PORT")
    serve.set_defaults(handler=_serve)


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a port number") from None
    if not 1 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"port {value} is outside 1-65535")
    return value


def is_loopback(host: str) -> bool:
    """Whether `host` names only this machine (localhost, 127.0.0.0/8, ::1)."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def exposure_warning(host: str) -> str | None:
    """What to tell the user before listening on `host`, when it is reachable from elsewhere."""
    if is_loopback(host):
        return None
    return (f"glassbox: WARNING: serving on {host} makes the dashboard reachable from other "
            "machines, with no login. Anyone who opens it can make the agent run code in the "
            "sandbox and read every stored session. Use --host 127.0.0.1 (the default) unless "
            "this network is yours alone.")


def public_url_for(host: str, port: int, given: str | None = None) -> str:
    """The URL the page tells the browser to connect back to (its websocket uses it too)."""
    if given:
        return given.rstrip("/")
    bare = host.strip("[]")
    if bare in ("0.0.0.0", "::", ""):
        # A wildcard address is no place to connect to: name this machine instead.
        bare = socket.gethostname()
    return f"http://[{bare}]:{port}" if ":" in bare else f"http://{bare}:{port}"


def _check_port_free(host: str, port: int) -> None:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise GlassboxError(f"Cannot listen on '{host}': {exc.strerror}.",
                            hint="Give an IP address or a host name of this machine.") from None
    family, kind, proto, _name, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            raise GlassboxError(f"Cannot listen on {host}:{port}: {exc.strerror}.",
                                hint="Choose another --port.") from None


def _serve(args: argparse.Namespace) -> int:
    warning = exposure_warning(args.host)
    if warning:
        print(warning, file=sys.stderr, flush=True)
    _check_port_free(args.host, args.port)
    from engine.config import load_settings

    # Each page starts its own dashboard: bad settings would only show as a page that closes.
    load_settings()
    from textual_serve.server import Server

    # Each browser tab gets its own dashboard process, run by this same interpreter.
    command = shlex.join([sys.executable, "-m", "tui.cli"])
    public_url = public_url_for(args.host, args.port, args.public_url)
    server = Server(command, host=args.host, port=args.port, title="Glassbox", public_url=public_url)
    server.serve()
    return 0
