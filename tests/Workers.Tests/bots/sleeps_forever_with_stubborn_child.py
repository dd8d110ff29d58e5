"""Forks a child that ignores SIGTERM, reports both pids, then sleeps forever."""
import json
import os
import signal
import sys
import time

child = os.fork()
if child == 0:
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    while True:
        time.sleep(1)
print(json.dumps({"log": json.dumps({"pids": [os.getpid(), child]})}), flush=True)
while True:
    time.sleep(1)
