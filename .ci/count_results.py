#!/usr/bin/python3
"""Counts test results for .ci/run: every test target's real outcome, from Bazel's own records.

Run with Debian's /usr/bin/python3 (standard library only). Three commands share a tally file
(JSON lines, one record per counted item):

  stage   counts one `bazel test` invocation and appends its records to the tally.
          Target status comes from the Build Event Protocol file of that invocation
          (--bep, written by `bazel test --build_event_json_file=...`): its testSummary
          events carry Bazel's overall status per target (PASSED, FAILED, TIMEOUT, ...),
          its testResult events the test.xml of every run/shard (cached results included),
          and targetCompleted/aborted events the targets that failed to build.
          Without --bep, --testlogs reads a bazel-testlogs tree directly, with each target's
          status from its test.cache_status (useful for an existing tree; a BEP file is the
          reliable source, since a testlogs tree keeps stale results of earlier runs).
  record  appends one result (e.g. a format check) by name: passed or failed.
  total   prints "N skipped" (when any) and the closing line "N passed, N failed";
          exits 1 if anything failed or nothing was counted.

Counting rules, per test target:
  - A test.xml written by GoogleTest (or any JUnit-style runner): each <testcase> counts:
    failed if it has a <failure> or <error> child; skipped if it has a <skipped> child, or
    result="skipped" / result="suppressed" / status="notrun" (GTEST_SKIP, DISABLED_ tests);
    passed otherwise.
  - The synthetic test.xml that Bazel's test-setup.sh writes when the test wrote none
    (sh_test, or a binary that died before writing one): one result, passed or failed by
    Bazel's status of the target. (For a failing sh_test it holds an <error> element, not
    a <failure>.)
  - If Bazel says the target did not pass (FAILED, TIMEOUT, NO_STATUS, FAILED_TO_BUILD, ...)
    but its cases show no failure, one more failure is counted for the target: red never
    reads as green (e.g. all cases passed, then a sanitizer failed the process at exit).
  - A target with no test.xml at all (it failed to build, or never ran) is one failure.
  - A stage whose `bazel test` exited non-zero, with no failure counted, gets one failure;
    so does a stage that found no test targets at all.
"""

import argparse
import json
import os
import sys
import urllib.parse
import xml.etree.ElementTree as ElementTree

PASSING_STATUSES = ("PASSED", "FLAKY")

# BlazeTestStatus (src/main/protobuf/test_status.proto), as test.cache_status stores it.
BLAZE_TEST_STATUS = {
    0: "NO_STATUS",
    1: "PASSED",
    2: "FLAKY",
    3: "TIMEOUT",
    4: "FAILED",
    5: "INCOMPLETE",
    6: "REMOTE_FAILURE",
    7: "FAILED_TO_BUILD",
    8: "BLAZE_HALTED_BEFORE_TESTING",
}


class Counts:
    def __init__(self):
        self.passed = 0
        self.failed = 0
        self.skipped = 0
        self.notes = []

    def add(self, other):
        self.passed += other.passed
        self.failed += other.failed
        self.skipped += other.skipped
        self.notes.extend(other.notes)


def parse_test_xml(path):
    """Returns (Counts, kind) for one test.xml; kind is "cases", "synthetic" or "unreadable".

    For "synthetic" (Bazel's own file), the Counts are empty: the caller decides by status.
    """
    counts = Counts()
    try:
        root = ElementTree.parse(path).getroot()
    except (ElementTree.ParseError, OSError) as error:
        counts.notes.append("unreadable test.xml %s: %s" % (path, error))
        return counts, "unreadable"
    testcases = list(root.iter("testcase"))
    # test-setup.sh's file: <testsuites> without attributes, one testcase carrying a
    # "duration" attribute, which GoogleTest never writes.
    if not root.attrib and len(testcases) == 1 and "duration" in testcases[0].attrib:
        return counts, "synthetic"
    for testcase in testcases:
        name = "%s.%s" % (testcase.get("classname", ""), testcase.get("name", ""))
        if testcase.find("failure") is not None or testcase.find("error") is not None:
            counts.failed += 1
            counts.notes.append("failed case %s" % name)
        elif (
            testcase.find("skipped") is not None
            or testcase.get("result") in ("skipped", "suppressed")
            or testcase.get("status") == "notrun"
        ):
            counts.skipped += 1
        else:
            counts.passed += 1
    return counts, "cases"


def count_target(label, status, xml_paths, build_note=None):
    """Counts one test target from Bazel's status and the test.xml of each run/shard."""
    counts = Counts()
    ok = status in PASSING_STATUSES
    if not xml_paths:
        counts.failed += 1
        counts.notes.append(build_note or "no test.xml (status %s)" % status)
        if ok:  # Cannot happen with Bazel's test-setup.sh; never let it read as green.
            counts.notes.append("Bazel says %s but wrote no test.xml" % status)
        return counts
    for path in xml_paths:
        xml_counts, kind = parse_test_xml(path)
        if kind == "cases":
            counts.add(xml_counts)
        else:
            counts.notes.extend(xml_counts.notes)
            if ok:
                counts.passed += 1
            else:
                counts.failed += 1
    if not ok and counts.failed == 0:
        counts.failed += 1
        counts.notes.append("Bazel says %s but the test.xml shows no failure" % status)
    if status == "FLAKY":
        counts.notes.append("FLAKY: passed only on a retry")
    return counts


def file_path(uri):
    if uri.startswith("file://"):
        return urllib.parse.unquote(uri[len("file://"):])
    return None


def read_bep(path):
    """Returns {label: {"status", "xml": [paths], "build_note", "is_test"}} from a BEP file."""
    targets = {}

    def target(label):
        return targets.setdefault(
            label, {"status": None, "results": {}, "build_note": None, "is_test": False}
        )

    with open(path, encoding="utf-8") as bep:
        for line in bep:
            line = line.strip()
            if not line:
                continue
            try:
                event = json.loads(line)
            except json.JSONDecodeError:
                continue  # A truncated last line of an interrupted build.
            event_id = event.get("id", {})
            if "targetConfigured" in event_id:
                info = target(event_id["targetConfigured"]["label"])
                configured = event.get("configured", {})
                kind = configured.get("targetKind", "")
                if "testSize" in configured or kind.split(" ")[0].endswith("_test"):
                    info["is_test"] = True
                if "aborted" in event:
                    aborted = event["aborted"]
                    info["build_note"] = "not built: %s %s" % (
                        aborted.get("reason", ""),
                        aborted.get("description", ""),
                    )
            elif "targetCompleted" in event_id:
                info = target(event_id["targetCompleted"]["label"])
                if "aborted" in event:
                    aborted = event["aborted"]
                    info["build_note"] = "not built: %s %s" % (
                        aborted.get("reason", ""),
                        aborted.get("description", ""),
                    )
                elif not event.get("completed", {}).get("success", False):
                    detail = event.get("completed", {}).get("failureDetail", {})
                    message = detail.get("message", "").splitlines()
                    summary = message[0] if message else ""
                    if len(summary) > 100:
                        summary = summary[:100] + "..."
                    info["build_note"] = "failed to build" + (": " + summary if summary else "")
            elif "testResult" in event_id:
                result_id = event_id["testResult"]
                info = target(result_id["label"])
                info["is_test"] = True
                payload = event.get("testResult", {})
                key = (result_id.get("run", 1), result_id.get("shard", 1))
                attempt = result_id.get("attempt", 1)
                xml = None
                for output in payload.get("testActionOutput", []):
                    if output.get("name") == "test.xml":
                        xml = file_path(output.get("uri", ""))
                previous = info["results"].get(key)
                if previous is None or attempt >= previous[0]:
                    info["results"][key] = (attempt, xml)
            elif "testSummary" in event_id:
                info = target(event_id["testSummary"]["label"])
                info["is_test"] = True
                info["status"] = event.get("testSummary", {}).get("overallStatus", "NO_STATUS")
    for info in targets.values():
        info["xml"] = [xml for _, xml in sorted(info["results"].values()) if xml]
    return targets


def read_varint(data, position):
    value = 0
    shift = 0
    while True:
        byte = data[position]
        position += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            return value, position


def read_cache_status(path):
    """The status in a test.cache_status file (TestResultData: field 2 test_passed, 3 status)."""
    try:
        with open(path, "rb") as status_file:
            data = status_file.read()
    except OSError:
        return None
    fields = {}
    position = 0
    try:
        while position < len(data):
            key, position = read_varint(data, position)
            number, wire_type = key >> 3, key & 7
            if wire_type == 0:
                value, position = read_varint(data, position)
                fields.setdefault(number, value)
            elif wire_type == 2:
                length, position = read_varint(data, position)
                position += length
            elif wire_type == 1:
                position += 8
            elif wire_type == 5:
                position += 4
            else:
                break
    except IndexError:
        return None
    if 3 in fields:
        return BLAZE_TEST_STATUS.get(fields[3], "NO_STATUS")
    if fields.get(2) == 1:
        return "PASSED"
    return "NO_STATUS"


def read_testlogs(testlogs, labels):
    """Like read_bep, from a bazel-testlogs tree; labels None means every test.xml there."""
    targets = {}
    if labels is None:
        labels = []
        for directory, subdirectories, files in os.walk(testlogs):
            subdirectories[:] = [d for d in subdirectories if not d.startswith("test.")]
            if "test.xml" in files or "test.log" in files:
                relative = os.path.relpath(directory, testlogs)
                parts = relative.split(os.sep)
                while parts and (parts[-1].startswith("shard_") or parts[-1].startswith("run_")):
                    parts.pop()
                if len(parts) >= 2:
                    labels.append("//%s:%s" % ("/".join(parts[:-1]), parts[-1]))
        labels = sorted(set(labels))
    for label in labels:
        package, _, name = label.lstrip("/").partition(":")
        directory = os.path.join(testlogs, package, name)
        xmls, statuses = [], []
        for subdirectory, subdirectories, files in os.walk(directory):
            subdirectories[:] = sorted(d for d in subdirectories if not d.startswith("test."))
            if "test.xml" in files:
                xmls.append(os.path.join(subdirectory, "test.xml"))
                statuses.append(read_cache_status(os.path.join(subdirectory, "test.cache_status")))
        status = "NO_STATUS"
        if statuses:
            bad = [s for s in statuses if s not in PASSING_STATUSES]
            status = (bad[0] or "NO_STATUS") if bad else statuses[0]
        targets[label] = {
            "status": status if xmls else None,
            "xml": xmls,
            "build_note": None if xmls else "no results in %s" % directory,
            "is_test": True,
        }
    return targets


def write_records(tally, records):
    with open(tally, "a", encoding="utf-8") as out:
        for record in records:
            out.write(json.dumps(record, sort_keys=True) + "\n")


def command_stage(args):
    expected = None
    if args.targets:
        with open(args.targets, encoding="utf-8") as targets_file:
            expected = [line.strip() for line in targets_file if line.strip().startswith("//")]
    if args.bep:
        if os.path.exists(args.bep):
            targets = read_bep(args.bep)
        else:
            print("%s: no build event file %s" % (args.name, args.bep))
            targets = {}
    else:
        targets = read_testlogs(args.testlogs, expected)

    labels = set(label for label, info in targets.items() if info["is_test"])
    if expected is not None:
        labels.update(expected)

    records = []
    total = Counts()
    for label in sorted(labels):
        info = targets.get(label) or {"status": None, "xml": [], "build_note": None}
        status = info["status"] or ("FAILED_TO_BUILD" if info["build_note"] else "NO_STATUS")
        xmls = info["xml"]
        counts = count_target(label, status, xmls, info["build_note"])
        if args.expect_under:
            root = os.path.realpath(args.expect_under)
            for xml in xmls:
                if not os.path.realpath(xml).startswith(root + os.sep):
                    counts.failed += 1
                    counts.notes.append("test.xml %s is outside this stage's tree %s" % (xml, root))
        total.add(counts)
        records.append(
            {
                "stage": args.name,
                "target": label,
                "status": status,
                "passed": counts.passed,
                "failed": counts.failed,
                "skipped": counts.skipped,
                "notes": counts.notes,
            }
        )
        if counts.failed or counts.notes or args.verbose:
            print("%s: %s %s: %d passed, %d failed, %d skipped" % (
                args.name, label, status, counts.passed, counts.failed, counts.skipped))
            for note in counts.notes:
                print("    " + note)

    stage_notes = []
    if not labels:
        stage_notes.append("no test targets were found")
    if args.bazel_exit not in (None, 0) and total.failed == 0:
        stage_notes.append("bazel test exited %d but no test failed" % args.bazel_exit)
    if stage_notes:
        total.failed += 1
        records.append(
            {
                "stage": args.name,
                "target": "(stage)",
                "status": "FAILED",
                "passed": 0,
                "failed": 1,
                "skipped": 0,
                "notes": stage_notes,
            }
        )
        for note in stage_notes:
            print("%s: %s" % (args.name, note))

    print("%s: %d targets; test results: %d passed, %d failed, %d skipped" % (
        args.name, len(labels), total.passed, total.failed, total.skipped))
    if args.tally:
        write_records(args.tally, records)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as out:
            json.dump(records, out, indent=1, sort_keys=True)
    return 0


def command_record(args):
    passed = args.status == "passed"
    write_records(
        args.tally,
        [{
            "stage": args.name,
            "target": args.name,
            "status": "PASSED" if passed else "FAILED",
            "passed": 1 if passed else 0,
            "failed": 0 if passed else 1,
            "skipped": 0,
            "notes": [],
        }],
    )
    return 0


def command_total(args):
    passed = failed = skipped = 0
    records = 0
    if os.path.exists(args.tally):
        with open(args.tally, encoding="utf-8") as tally:
            for line in tally:
                if line.strip():
                    record = json.loads(line)
                    records += 1
                    passed += record["passed"]
                    failed += record["failed"]
                    skipped += record["skipped"]
                    if record["failed"]:
                        where = record["stage"]
                        if record["target"] != record["stage"]:
                            where += " " + record["target"]
                        print("FAILED: %s (%s)" % (where, record["status"]))
    if records == 0:
        print("nothing was counted")
        failed += 1
    if skipped:
        print("%d skipped" % skipped)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)

    stage = commands.add_parser("stage", help="count one bazel test invocation")
    stage.add_argument("--name", required=True, help="the stage's name in the output")
    source = stage.add_mutually_exclusive_group(required=True)
    source.add_argument("--bep", help="the --build_event_json_file of the bazel test run")
    source.add_argument("--testlogs", help="a bazel-testlogs directory (without a BEP file)")
    stage.add_argument("--targets", help="file of test labels expected to have run (bazel query)")
    stage.add_argument("--bazel-exit", type=int, help="exit status of the bazel test run")
    stage.add_argument("--expect-under", help="every test.xml must lie under this directory")
    stage.add_argument("--tally", help="append the records to this file")
    stage.add_argument("--json", help="write this stage's records to this file")
    stage.add_argument("--verbose", action="store_true", help="print every target")
    stage.set_defaults(run=command_stage)

    record = commands.add_parser("record", help="record one named result")
    record.add_argument("--tally", required=True)
    record.add_argument("--name", required=True)
    record.add_argument("--status", required=True, choices=("passed", "failed"))
    record.set_defaults(run=command_record)

    total = commands.add_parser("total", help="print the closing line")
    total.add_argument("--tally", required=True)
    total.set_defaults(run=command_total)

    args = parser.parse_args()
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
