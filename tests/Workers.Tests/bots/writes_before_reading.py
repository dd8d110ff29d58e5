"""Writes far more than a pipe holds before it reads its request, then answers with the request's size."""
import json
import sys

for i in range(2000):
    print(json.dumps({"log": f"warming up {i} " + "x" * 100}), flush=True)
request = sys.stdin.read()
print(json.dumps({"result": {"requestBytes": len(request)}}), flush=True)
