#!/bin/bash
# mpirun_test: runs a test binary as rank 0 of a 3-rank MPI job on this machine; the other
# ranks are its workers (executors/mpi).
# Usage: mpirun_test.sh BINARY [ARGS...]
set -u
source "${TEST_SRCDIR}/${TEST_WORKSPACE}/executors/mpi/mpi_test_env.sh"
exec "${mpirun_np3[@]}" "$@"
