"""Reports the pid that served the job with a checkable answer; on request sleeps, reports progress every 100 ms,
floods its output, shows its environment, or hangs with a child that ignores SIGTERM."""
import json
import os
import signal
import sys
import time


def handle(request, emit):
    payload = request.get("payload", {})
    n = int(payload.get("n", 0))
    time.sleep(int(payload.get("sleepMs", 0)) / 1000)
    ticks = int(payload.get("ticks", 0))
    for tick in range(1, ticks + 1):
        time.sleep(0.1)
        emit({"progress": tick * 100 // ticks})
    if payload.get("flood"):
        line = "x" * 1023 + "\n"
        for _ in range(2048):
            sys.stdout.write(line)
    if payload.get("hang"):
        child = os.fork()
        if child == 0:
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
            while True:
                time.sleep(1)
        emit({"log": json.dumps({"pids": [os.getpid(), child]})})
        while True:
            time.sleep(1)
    result = {"pid": os.getpid(), "n": n, "square": n * n}
    if payload.get("environment"):
        result["environment"] = dict(os.environ)
        result["cwd"] = os.getcwd()
    emit({"result": result})


if __name__ == "__main__":
    handle(json.loads(sys.stdin.read() or "{}"), lambda message: print(json.dumps(message), flush=True))
