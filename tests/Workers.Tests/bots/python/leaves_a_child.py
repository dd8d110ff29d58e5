"""Answers with its pid and n after sleepMs; with childMs, leaves a child process that writes an error line to the host's
output that long after the job ended, and logs the child's pid."""
import json
import os
import subprocess
import sys
import time


def handle(request, emit):
    payload = request.get("payload", {})
    n = int(payload.get("n", 0))
    child_ms = int(payload.get("childMs", 0))
    if child_ms:
        late = json.dumps({"error": "written by the child of job %d" % n, "retryable": False})
        child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(%r); print(%r, flush=True)" % (child_ms / 1000, late)])
        emit({"log": json.dumps({"pids": [child.pid]})})
    time.sleep(int(payload.get("sleepMs", 0)) / 1000)
    emit({"result": {"pid": os.getpid(), "n": n}})
