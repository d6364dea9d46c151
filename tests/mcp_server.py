"""A small MCP server for the tests, written with the official SDK: stdio, HTTP, or one that hangs.

python tests/mcp_server.py            serve over stdio
python tests/mcp_server.py http PORT  serve streamable HTTP on 127.0.0.1:PORT (path /mcp)
python tests/mcp_server.py hang       start, then never answer
"""

from __future__ import annotations

import os
import sys
import time

import anyio
from mcp.server.mcpserver import MCPServer

server = MCPServer("glassbox-test")


@server.tool()
def add(a: int, b: int) -> int:
    """Add two integers."""
    return a + b


@server.tool()
def reverse(text: str) -> str:
    """Reverse a string."""
    return text[::-1]


@server.tool()
async def wait(seconds: float) -> str:
    """Sleep, then answer (for call timeouts)."""
    await anyio.sleep(seconds)
    return "done"


@server.tool()
def crash() -> str:
    """End the server process in the middle of the call."""
    os._exit(3)


if __name__ == "__main__":
    mode = sys.argv[1] if len(sys.argv) > 1 else "stdio"
    if mode == "hang":
        time.sleep(3600)
    elif mode == "http":
        server.run("streamable-http", host="127.0.0.1", port=int(sys.argv[2]))
    else:
        server.run()
