"""Warm host: loads one bot module once and serves its jobs, one at a time, until stdin closes.

Usage: bot_host.py <bot.py>. Each stdin line is one job's request; the bot's handle(request, emit) writes the job's
JSON lines to stdout, then the host writes {"jobEnd":n} (n counts the jobs served); what the job's emit is given after
that is dropped. A bot that exits or raises ends the host, as it would end a cold run; the runner then starts a new host.
"""
import importlib.util
import json
import os
import sys
import threading


def load(path):
    # The bot's own directory first on the path, as when it runs cold, so it can import its neighbours; and no
    # bytecode written there, as a script run cold writes none for itself.
    sys.path.insert(0, os.path.dirname(os.path.abspath(path)))
    sys.dont_write_bytecode = True
    name = os.path.splitext(os.path.basename(path))[0]
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


class JobOutput:
    """What one job writes: closed as the job ends, so work it left running (a thread) cannot write into the next job."""

    def __init__(self):
        self._lock = threading.Lock()
        self._open = True

    def emit(self, message):
        with self._lock:
            if self._open:
                sys.stdout.write(json.dumps(message) + "\n")
                sys.stdout.flush()

    def end(self, served):
        with self._lock:
            self._open = False
            sys.stdout.write('{"jobEnd":%d}\n' % served)
            sys.stdout.flush()


def main():
    bot = load(sys.argv[1])
    served = 0
    for line in sys.stdin:
        if not line.strip():
            continue
        served += 1
        output = JobOutput()
        bot.handle(json.loads(line), output.emit)
        output.end(served)


if __name__ == "__main__":
    main()
