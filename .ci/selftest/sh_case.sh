#!/usr/bin/env bash
# A test of the self-test's fixture: passes, fails or hangs as its argument says.
case "$1" in
  pass) echo "passing on purpose" ;;
  fail) echo "failing on purpose" >&2; exit 1 ;;
  hang) echo "sleeping past the timeout on purpose"; sleep 300 ;;
  *) echo "unknown mode $1" >&2; exit 2 ;;
esac
