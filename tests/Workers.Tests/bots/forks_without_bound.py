"""Forks sleeping children until the process limit refuses one, then reports how far it got."""
import json
import os
import time

children = []
refused = None
for _ in range(500):
    try:
        pid = os.fork()
    except OSError as error:
        refused = str(error)
        break
    if pid == 0:
        # The child lets go of the pipes, so the runner sees the parent's output end when the parent exits.
        os.close(1)
        os.close(2)
        time.sleep(60)
        os._exit(0)
    children.append(pid)
print(json.dumps({"result": {"forked": len(children), "refused": refused, "children": children}}), flush=True)
