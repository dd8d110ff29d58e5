"""Answers with its pid and n; with exitAfterMs, leaves a thread that ends the whole host that long after the job."""
import os
import threading
import time


def handle(request, emit):
    payload = request.get("payload", {})
    exit_after = int(payload.get("exitAfterMs", 0))
    if exit_after:
        threading.Thread(target=lambda: (time.sleep(exit_after / 1000), os._exit(7)), daemon=True).start()
    emit({"result": {"pid": os.getpid(), "n": int(payload.get("n", 0))}})
