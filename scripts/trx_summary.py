"""Sums the outcomes of every TRX file under a directory into one line:
Tests: N passed, N failed[, N skipped]. Extra failures (e.g. promtool) are added to the failed count."""
import pathlib
import sys
import xml.etree.ElementTree as ET

directory, extra_failed = pathlib.Path(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 0
passed = failed = skipped = 0
for trx in directory.rglob("*.trx"):
    for result in ET.parse(trx).getroot().iter("{http://microsoft.com/schemas/VisualStudio/TeamTest/2010}UnitTestResult"):
        outcome = result.get("outcome")
        if outcome == "Passed":
            passed += 1
        elif outcome in ("NotExecuted", "Inconclusive"):
            skipped += 1
        else:
            failed += 1
failed += extra_failed
if passed + failed == 0:
    failed = 1  # no result at all means the run broke before any test
line = f"Tests: {passed} passed, {failed} failed"
print(line + (f", {skipped} skipped" if skipped else ""))
