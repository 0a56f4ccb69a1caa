"""N sequential TLS handshakes to localhost:PORT, verified with the default
context (system trust; the test CA comes from the environment: the shim's
TRUSTSHIM_CA, or SSL_CERT_FILE naming a bundle that includes it).
  hs.py new|reused N PORT
new: a new default context per handshake; reused: one context.
Prints the milliseconds the N handshakes took; exits 1 if any failed."""
import socket, ssl, sys, time
mode, n, port = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
ctx = ssl.create_default_context()
t = time.perf_counter()
for _ in range(n):
    if mode == "new":
        ctx = ssl.create_default_context()
    with socket.create_connection(("127.0.0.1", port)) as s:
        with ctx.wrap_socket(s, server_hostname="localhost") as tls:
            pass
print("%.3f" % ((time.perf_counter() - t) * 1000))
