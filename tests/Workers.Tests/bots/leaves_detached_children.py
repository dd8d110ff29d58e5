"""Starts two children in sessions of their own, one holding its output open, reports their pids and its result, and exits."""
import json
import subprocess
import sys

sleep = [sys.executable, "-c", "import time; time.sleep(1000)"]
holding = subprocess.Popen(sleep, start_new_session=True)
quiet = subprocess.Popen(sleep, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
print(json.dumps({"log": json.dumps({"pids": [holding.pid, quiet.pid]})}), flush=True)
print(json.dumps({"result": {"started": 2}}), flush=True)
