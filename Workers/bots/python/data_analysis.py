"""Analyses a generated sales dataset: per-region totals, mean, median and standard deviation.

Protocol: one JSON request on stdin; JSON lines on stdout ({"progress"}, {"log"}, then {"result"} or {"error"}).
payload.durationMs stretches the work (reporting progress as it goes); payload.fail simulates errors.
handle() does one job, so the warm host can serve many jobs with this module loaded once.
"""
import json
import random
import statistics
import sys
import time


def write_message(message):
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


def handle(request, emit):
    payload = request.get("payload", {})
    fail = payload.get("fail")
    duration_ms = int(payload.get("durationMs", 200))
    dataset = payload.get("dataset", "sales")
    rows = int(payload.get("rows", 5000))

    emit({"log": f"analysing {rows} rows of {dataset}"})
    rng = random.Random(dataset)
    regions = ["north", "south", "east", "west"]
    data = [(rng.choice(regions), rng.gauss(100, 25)) for _ in range(rows)]

    steps = 5
    for step in range(1, steps + 1):
        time.sleep(duration_ms / 1000 / steps)
        emit({"progress": step * 100 // steps})
        if fail == "crash" and step == 2:
            sys.exit(3)

    if fail == "retryable":
        emit({"error": "the data source is temporarily unavailable", "retryable": True})
        return
    if fail == "permanent":
        emit({"error": f"dataset '{dataset}' is malformed", "retryable": False})
        return

    amounts = [amount for _, amount in data]
    totals = {region: round(sum(a for r, a in data if r == region), 2) for region in regions}
    emit({"result": {
        "dataset": dataset,
        "rows": rows,
        "mean": round(statistics.fmean(amounts), 3),
        "median": round(statistics.median(amounts), 3),
        "stdev": round(statistics.pstdev(amounts), 3),
        "totalsByRegion": totals,
    }})


if __name__ == "__main__":
    handle(json.loads(sys.stdin.read() or "{}"), write_message)
