"""Analyses a generated sales dataset: per-region totals, mean, median and standard deviation.

Protocol: one JSON request on stdin; JSON lines on stdout ({"progress"}, {"log"}, then {"result"} or {"error"}).
payload.durationMs stretches the work (reporting progress as it goes); payload.fail simulates errors; a payload
field it cannot use fails the job for good, naming the field.
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


class BadPayload(Exception):
    """A payload this bot cannot use: running it again would not help."""


def whole_number(payload, name, default, most):
    value = payload.get(name, default)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= most:
        raise BadPayload(f"payload.{name} must be a whole number from 0 to {most}, not {json.dumps(value)}")
    return value


def handle(request, emit):
    try:
        analyse(request.get("payload", {}), emit)
    except BadPayload as bad:
        emit({"error": str(bad), "retryable": False})


def analyse(payload, emit):
    fail = payload.get("fail")
    duration_ms = whole_number(payload, "durationMs", 200, 3_600_000)
    dataset = str(payload.get("dataset", "sales"))
    rows = whole_number(payload, "rows", 5000, 1_000_000)

    if fail == "exception":
        raise ValueError("simulated: a row that is no number")
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
