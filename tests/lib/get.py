#!/usr/bin/env python3
"""HTTPS GET the way ordinary Python code does it, so that tests run real
client code paths.  Prints the body; exits 1 with the error on failure.

  get.py MODE URL
  MODE: urllib            urllib.request.urlopen (default context)
        requests          requests.get (verify=True)
        requests-noverify requests.get(verify=False)
        unverified        urllib with ssl._create_unverified_context()
        nohostname        ssl context: check_hostname=False, CERT_NONE
        nohostname-req    ssl context: check_hostname=False, CERT_REQUIRED
"""
import ssl, sys, urllib.request

mode, url = sys.argv[1], sys.argv[2]
try:
    if mode.startswith("requests"):
        import requests, warnings
        warnings.simplefilter("ignore")
        r = requests.get(url, timeout=10, verify=(mode == "requests"))
        r.raise_for_status()
        body = r.text
    else:
        ctx = None
        if mode == "unverified":
            ctx = ssl._create_unverified_context()
        elif mode in ("nohostname", "nohostname-req"):
            ctx = ssl.create_default_context()
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE if mode == "nohostname" else ssl.CERT_REQUIRED
        body = urllib.request.urlopen(url, timeout=10, context=ctx).read().decode()
except Exception as e:  # the tests read this line
    print("error: %s" % e, file=sys.stderr)
    sys.exit(1)
print(body, end="")
