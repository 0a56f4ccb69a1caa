"""ssl.create_default_context() N times; prints the milliseconds taken.
With --hold, keeps every context alive (for the peak-RSS figure) and prints
nothing but the time."""
import ssl, sys, time
hold = "--hold" in sys.argv
n = int([a for a in sys.argv[1:] if not a.startswith("--")][0])
kept = []
t = time.perf_counter()
for _ in range(n):
    c = ssl.create_default_context()
    if hold:
        kept.append(c)
print("%.3f" % ((time.perf_counter() - t) * 1000))
