"""Answers with n after sleepMs; with lateLogMs, leaves a thread that logs that long after the job ended."""
import threading
import time


def handle(request, emit):
    payload = request.get("payload", {})
    n = int(payload.get("n", 0))
    late = int(payload.get("lateLogMs", 0))
    if late:
        threading.Thread(target=lambda: (time.sleep(late / 1000), emit({"log": "late from job %d" % n}))).start()
    time.sleep(int(payload.get("sleepMs", 0)) / 1000)
    emit({"result": {"n": n}})
