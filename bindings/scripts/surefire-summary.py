#!/usr/bin/env python3
"""Prints Surefire's summary from its XML reports (mvn -q prints none on success).

    python3 surefire-summary.py REPORTS_DIR LABEL

Per suite and per test case, Surefire's totals, then one closing line
`LABEL: N passed, N failed, N skipped`. Exits 1 when a test failed or when no test ran
(an empty or missing report directory is a failure, not a pass), 0 otherwise.
"""
import glob
import sys
import xml.etree.ElementTree as ET

reports, label = sys.argv[1], sys.argv[2]
totals = dict(tests=0, failures=0, errors=0, skipped=0)
for path in sorted(glob.glob(reports + "/TEST-*.xml")):
    suite = ET.parse(path).getroot()
    counts = {k: int(suite.get(k, 0)) for k in totals}
    for k in totals:
        totals[k] += counts[k]
    print(f"[INFO] Tests run: {counts['tests']}, Failures: {counts['failures']}, "
          f"Errors: {counts['errors']}, Skipped: {counts['skipped']}, "
          f"Time elapsed: {suite.get('time', '?')} s - in {suite.get('name')}")
    for case in suite.iter("testcase"):
        bad = case.find("failure") if case.find("failure") is not None else case.find("error")
        mark = "FAILED" if bad is not None else ("SKIPPED" if case.find("skipped") is not None else "ok")
        print(f"    {mark:7} {case.get('name')}")
print("[INFO] Results:")
print(f"[INFO] Tests run: {totals['tests']}, Failures: {totals['failures']}, "
      f"Errors: {totals['errors']}, Skipped: {totals['skipped']}")
failed = totals['failures'] + totals['errors']
passed = totals['tests'] - failed - totals['skipped']
if totals['tests'] == 0:
    # Compilation failed, or the tests were not found: count it as a failure, never a pass.
    print(f"{label}: 0 passed, 1 failed (no test ran)")
else:
    print(f"{label}: {passed} passed, {failed} failed, {totals['skipped']} skipped")
sys.exit(1 if failed or totals['tests'] == 0 else 0)
