#!/usr/bin/env python3
"""A small HTTPS server on loopback for the tests: serves files from --root
(or a fixed body), optionally requires client certificates, and writes the
port it bound to --port-file.  Runs until killed."""
import argparse, http.server, os, ssl, sys

p = argparse.ArgumentParser()
p.add_argument("--cert", required=True)
p.add_argument("--key", required=True)
p.add_argument("--root", default=None)
p.add_argument("--port-file", required=True)
p.add_argument("--bind", default="127.0.0.1")
p.add_argument("--client-ca", default=None, help="require client certificates from this CA")
a = p.parse_args()


class Handler(http.server.SimpleHTTPRequestHandler):
    def __init__(self, *args, **kw):
        super().__init__(*args, directory=a.root or os.getcwd(), **kw)

    def do_GET(self):
        if a.root is None:
            body = b"hello from trustshim test server\n"
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        else:
            super().do_GET()

    def log_message(self, *args):
        pass


class Server(http.server.ThreadingHTTPServer):
    address_family = __import__("socket").AF_INET6 if ":" in a.bind else __import__("socket").AF_INET
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass  # handshake failures are the point of many tests


ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(a.cert, a.key)
if a.client_ca:
    ctx.verify_mode = ssl.CERT_REQUIRED
    ctx.load_verify_locations(a.client_ca)
srv = Server((a.bind, 0), Handler)
srv.socket = ctx.wrap_socket(srv.socket, server_side=True, do_handshake_on_connect=True)
tmp = a.port_file + ".tmp"
with open(tmp, "w") as f:
    f.write(str(srv.server_address[1]))
os.rename(tmp, a.port_file)
try:
    srv.serve_forever()
except KeyboardInterrupt:
    pass
