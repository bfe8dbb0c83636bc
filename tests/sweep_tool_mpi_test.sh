#!/bin/bash
# sweep_tool_mpi_test: the sweep tool under mpirun with --executor=mpi gives serial's CSV, bit for
# bit, for both splits, both kernels, file data (broadcast or read by every rank) and a
# grid; bad flags get serial's message; a worker rank killed mid-sweep ends the job with an
# error naming the rank and its task, not a hang; so does a rank that stops (SIGSTOP); stray
# MPI variables outside mpirun do not hang the tool.
# Usage: sweep_tool_mpi_test.sh path/to/sweep
set -u
sweep="$1"
tmp="${TEST_TMPDIR:-$(mktemp -d)}"
fail=0
source "${TEST_SRCDIR}/${TEST_WORKSPACE}/executors/mpi/mpi_test_env.sh"
mpi=("${mpirun_np3[@]}")

check_same() {  # name, extra flags...
  local name="$1"; shift
  "$sweep" --executor=serial --format=csv "$@" > "$tmp/$name.serial" 2> "$tmp/$name.serial.err" \
    || { echo "FAIL $name: serial run failed"; cat "$tmp/$name.serial.err"; fail=1; return; }
  "${mpi[@]}" "$sweep" --executor=mpi --format=csv "$@" > "$tmp/$name.mpi" 2> "$tmp/$name.mpi.err" \
    || { echo "FAIL $name: mpi run failed"; cat "$tmp/$name.mpi.err"; fail=1; return; }
  if cmp -s "$tmp/$name.serial" "$tmp/$name.mpi"; then
    echo "ok   $name ($(wc -l < "$tmp/$name.mpi") lines identical)"
  else
    echo "FAIL $name: mpi output differs from serial"; diff "$tmp/$name.serial" "$tmp/$name.mpi" | head; fail=1
  fi
}

check_same widths --split=widths
check_same samples --split=samples --chunk=1000
check_same many_widths --widths=1.0:1.2:100 --split=widths --chunk=1
# Partial sums merge in task order, so a summing kernel gives serial's bits for the same
# plan (a fixed chunk) too.
check_same gaussian_widths --kernel=parzen_gaussian --n=2000 --dims=3 --split=widths
check_same gaussian_samples --kernel=parzen_gaussian --n=2000 --dims=3 --split=samples --chunk=300
check_same grid --grid=-2:2:5 --widths=0.3,0.6 --split=widths
# File data: broadcast from rank 0, or read by every rank from the same path.
awk 'BEGIN { srand(5); for (i = 0; i < 3000; i++) printf "%.17g,%.17g\n", rand() * 4 - 2, rand() * 4 - 2 }' \
  > "$tmp/samples.csv"
check_same file_broadcast --data="$tmp/samples.csv" --split=samples --chunk=250
"${mpi[@]}" "$sweep" --executor=mpi --format=csv --data="$tmp/samples.csv" --split=samples \
  --chunk=250 --data_on_all_ranks > "$tmp/on_all_ranks.mpi" 2> "$tmp/on_all_ranks.err"
if cmp -s "$tmp/file_broadcast.serial" "$tmp/on_all_ranks.mpi"; then
  echo "ok   file_on_all_ranks (identical to serial)"
else
  echo "FAIL file_on_all_ranks: differs from serial"; cat "$tmp/on_all_ranks.err"; fail=1
fi

# Bad input is refused on rank 0 before any work, with serial's message, and the job ends.
for bad in --widths=0.5,-1 --n=0 --kernel=nope; do
  "$sweep" --executor=serial "$bad" > /dev/null 2> "$tmp/bad.serial"
  "${mpi[@]}" "$sweep" --executor=mpi "$bad" > /dev/null 2> "$tmp/bad.mpi"
  status=$?
  message=$(head -1 "$tmp/bad.serial")
  if [[ $status -eq 0 || $status -eq 124 ]]; then
    echo "FAIL bad $bad: status $status"; fail=1
  elif [[ -z "$message" ]] || ! grep -qF -- "$message" "$tmp/bad.mpi"; then
    echo "FAIL bad $bad: mpi did not print serial's message '$message':"; cat "$tmp/bad.mpi"; fail=1
  else
    echo "ok   bad $bad (status $status): $message"
  fi
done

# A failing rank: rank 2 kills itself on its first batch (test hook). The job must end,
# nonzero, within the timeout; mpirun names the rank and rank 0 names its task. Rank 0 says
# so from its SIGTERM handler, and mpirun may exit before it has forwarded those last words
# (seen once in five runs on a loaded machine): the message is checked over up to three jobs,
# while every job must end, nonzero, without hanging.
kill_result="FAIL kill: stderr does not name rank 2 and its task"
for attempt in 1 2 3; do
  PARSWEEP_MPI_TEST_KILL_RANK=2 "${mpi[@]}" -x PARSWEEP_MPI_TEST_KILL_RANK "$sweep" \
    --executor=mpi --format=csv --widths=1.0:1.2:100 --split=widths --chunk=1 \
    > "$tmp/kill.out" 2> "$tmp/kill.err"
  status=$?
  if [[ $status -eq 124 ]]; then
    kill_result="FAIL kill: the job hung"; break
  elif [[ $status -eq 0 ]]; then
    kill_result="FAIL kill: the job succeeded"; break
  elif grep -q "process rank 2 .* exited on signal 9" "$tmp/kill.err" &&
       grep -qE "while rank 2 was running tasks? [0-9]" "$tmp/kill.err"; then
    kill_result="ok   kill (status $status, job $attempt): $(grep -m1 'was running' "$tmp/kill.err")"
    break
  fi
done
echo "$kill_result"
if [[ $kill_result == FAIL* ]]; then cat "$tmp/kill.err"; fail=1; fi

# A worker rank that stops (test hook: rank 2 raises SIGSTOP on its first batch) goes silent:
# rank 0 ends the job after the 5 s heartbeat timeout, nonzero, naming the rank and its task,
# with nothing on standard output (no partial result). Before heartbeats the job waited for
# ever (the timeout's 124).
start=$(date +%s)
PARSWEEP_MPI_TEST_STOP_RANK=2 "${mpi[@]}" -x PARSWEEP_MPI_TEST_STOP_RANK "$sweep" \
  --executor=mpi --format=csv --widths=1.0:1.2:100 --split=widths --chunk=1 \
  > "$tmp/stop.out" 2> "$tmp/stop.err"
status=$?
took=$(( $(date +%s) - start ))
if [[ $status -eq 0 || $status -eq 124 ]]; then
  echo "FAIL stop: status $status"; cat "$tmp/stop.err"; fail=1
elif ! grep -qE "MPI rank 2 sent no heartbeat for [0-9.]+s \(the limit is 5s\) while running tasks? [0-9]" "$tmp/stop.err"; then
  echo "FAIL stop: stderr does not name rank 2, the silence and its task:"; cat "$tmp/stop.err"; fail=1
elif [[ -s "$tmp/stop.out" ]]; then
  echo "FAIL stop: a partial result on standard output:"; head -3 "$tmp/stop.out"; fail=1
elif (( took > 60 )); then
  echo "FAIL stop: the job took $took s to end"; fail=1
else
  echo "ok   stop (status $status, $took s): $(grep -m1 'sent no heartbeat' "$tmp/stop.err")"
fi

# A rank that stops while idle (rank 2, with one worker rank: it never gets a batch) cannot
# stop the sweep, but it would hold MPI_Finalize for ever: the job ends once it has not
# acknowledged the stop for 5 s, nonzero, after printing the complete result.
PARSWEEP_MPI_TEST_STOP_IDLE_RANK=2 "${mpi[@]}" -x PARSWEEP_MPI_TEST_STOP_IDLE_RANK "$sweep" \
  --executor=mpi --workers=1 --format=csv --widths=1.0:1.2:100 \
  --split=widths --chunk=1 > "$tmp/stop_idle.out" 2> "$tmp/stop_idle.err"
status=$?
if [[ $status -eq 0 || $status -eq 124 ]]; then
  echo "FAIL stop_idle: status $status"; cat "$tmp/stop_idle.err"; fail=1
elif ! grep -q "MPI rank 2 did not acknowledge the stop within 5s" "$tmp/stop_idle.err"; then
  echo "FAIL stop_idle: stderr does not name rank 2:"; cat "$tmp/stop_idle.err"; fail=1
elif ! cmp -s "$tmp/stop_idle.out" "$tmp/many_widths.serial"; then
  echo "FAIL stop_idle: the result differs from serial's"; fail=1
else
  echo "ok   stop_idle (status $status): $(grep -m1 'did not acknowledge' "$tmp/stop_idle.err")"
fi

# MPI's variables in a user's shell, outside mpirun, neither hang the tool nor make it a
# worker: without PMIX_NAMESPACE they are ignored; with it, MPI's own world (one process)
# contradicts them, and a would-be worker stops with a message.
OMPI_COMM_WORLD_SIZE=3 OMPI_COMM_WORLD_RANK=1 timeout 60 "$sweep" --format=csv \
  > "$tmp/stray.out" 2> "$tmp/stray.err"
status=$?
if [[ $status -ne 0 ]] || ! cmp -s "$tmp/stray.out" <("$sweep" --format=csv); then
  echo "FAIL stray: status $status, or output unlike a plain run's"; cat "$tmp/stray.err"; fail=1
else
  echo "ok   stray OMPI_COMM_WORLD_* ignored"
fi
PMIX_NAMESPACE=stray OMPI_COMM_WORLD_SIZE=3 OMPI_COMM_WORLD_RANK=1 timeout 60 "$sweep" \
  > /dev/null 2> "$tmp/stray_worker.err"
status=$?
if [[ $status -ne 1 ]] || ! grep -q "but MPI says rank 0 of 1" "$tmp/stray_worker.err"; then
  echo "FAIL stray worker: status $status"; cat "$tmp/stray_worker.err"; fail=1
else
  echo "ok   stray worker variables (status 1): $(head -1 "$tmp/stray_worker.err")"
fi

# Without mpirun the executor refuses with a clear message.
if "$sweep" --executor=mpi > /dev/null 2> "$tmp/nompi.err"; then
  echo "FAIL nompi: succeeded without mpirun"; fail=1
elif grep -q "rank 0 of an MPI job" "$tmp/nompi.err"; then
  echo "ok   nompi: $(head -1 "$tmp/nompi.err")"
else
  echo "FAIL nompi:"; cat "$tmp/nompi.err"; fail=1
fi
exit $fail
