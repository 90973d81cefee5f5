"""A WebSocket that closes normally leaves nothing at ERROR in the server's log (the close
frame used to be read as the next HTTP request), while real client errors are still logged."""
from __future__ import annotations

import socket

import websocket

from collab_support import wait_until


def _closed_by_server(sock: socket.socket) -> bool:
    """Read what the server sends; True once it has closed the connection."""
    try:
        while sock.recv(65536):
            pass
        return True
    except TimeoutError:
        return False


def test_a_closing_websocket_logs_no_error(server):
    ws = websocket.create_connection(server.url.replace("http://", "ws://") + "/socket.io/?EIO=4&transport=websocket",
                                     timeout=5)
    assert ws.recv().startswith("0")
    ws.send("1")  # engine.io close: the server ends the session and closes the WebSocket
    opcode, _ = ws.recv_data(control_frame=True)  # its close frame, which we answer, as clients do
    assert opcode == websocket.ABNF.OPCODE_CLOSE
    ws.sock.settimeout(0.2)
    wait_until(lambda: _closed_by_server(ws.sock), message="the server to close the connection")
    ws.shutdown()
    assert " ERROR " not in server.log(), server.log()


def test_a_malformed_http_request_is_still_logged(server):
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
        sock.sendall(b"\x88\x82junk\r\n\r\n")
        sock.settimeout(0.2)
        wait_until(lambda: _closed_by_server(sock), message="the server to answer and close")
    wait_until(lambda: "Invalid HTTP method" in server.log(), message="the client error in the log")
