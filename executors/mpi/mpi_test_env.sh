# Sourced by the MPI tests: the mpirun command line and what sanitizers need under it.
# Open MPI normally unloads its plugins at MPI_Finalize, after which LeakSanitizer cannot
# say which library allocated their memory; keep them loaded, unwind fully, and suppress
# reports inside Open MPI's own libraries only (open_mpi_leaks.supp, open_mpi_tsan.supp).
# Binaries built without a sanitizer ignore these variables.
here="${TEST_SRCDIR}/${TEST_WORKSPACE}/executors/mpi"
export OMPI_MCA_mca_base_component_disable_dlclose=1
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}fast_unwind_on_malloc=0"
export LSAN_OPTIONS="suppressions=$here/open_mpi_leaks.supp:print_suppressions=0"
export TSAN_OPTIONS="${TSAN_OPTIONS:+$TSAN_OPTIONS:}suppressions=$here/open_mpi_tsan.supp:print_suppressions=0"
# --oversubscribe: more ranks than cores (CI machines have 2); --allow-run-as-root: CI
# containers run as root. A job that hangs is killed.
mpirun_np3=(timeout --kill-after=10 240 mpirun --oversubscribe --allow-run-as-root -np 3)
