#!/usr/bin/env bash
# A kernel added as one folder plus one dependency line is found by name, runs on every
# executor, and gives the right answers: in one dimension the ball window is the
# hypercube's interval, so their counts must agree exactly. The plain tool, without the
# line, does not know the kernel.
set -euo pipefail
with_example=$1
plain=$2
fail() { echo "FAIL: $*" >&2; exit 1; }

"$with_example" --list | grep -q '^  parzen_ball: ' || fail "--list does not show parzen_ball"
if "$plain" --list | grep -q parzen_ball; then fail "the plain tool should not know parzen_ball"; fi
rejected=$("$plain" --kernel=parzen_ball 2>&1 || true)
grep -q "unknown kernel 'parzen_ball'" <<<"$rejected" || fail "the plain tool should reject parzen_ball by name"

counts() {  # The count column of a 1-D CSV report: point,x1,width,count,...
  "$with_example" --dims=1 --n=5000 --widths=0.1:2:20 --format=csv "$@" | tail -n +2 | cut -d, -f4
}
hypercube=$(counts --kernel=parzen_hypercube)
for executor in serial "threads --workers=2" "process --workers=2 --start_method=spawn"; do
  # shellcheck disable=SC2086  # $executor holds flags.
  ball=$(counts --kernel=parzen_ball --executor=$executor)
  [[ "$ball" == "$hypercube" ]] || fail "parzen_ball on $executor: counts differ from the hypercube's"
done
echo "parzen_ball: found by name, counts equal to the hypercube's in 1-D on every executor"

# biweight is a radial kernel: a Profile and one registration line on RadialKernel, whose
# exact block sums give the same bits on every executor and split (a split by samples cuts
# the 10000 samples at the 4096-sample blocks), and for either algorithm. Its normalisation
# is checked by //tests/example_radial:biweight_test.
"$with_example" --list | grep -q '^  biweight: ' || fail "--list does not show biweight"
if "$plain" --list | grep -q biweight; then fail "the plain tool should not know biweight"; fi
biweight() {
  "$with_example" --kernel=biweight --n=10000 --widths=0.2:1.5:6 --grid=-2:2:5 --format=csv "$@"
}
reference=$(biweight)
grep -q '^point,' <<<"$reference" || fail "biweight printed no CSV header"
[[ $(wc -l <<<"$reference") == 151 ]] || fail "biweight: expected 25 points x 6 widths and a header"
for executor in serial "threads --workers=2" "process --workers=2 --start_method=spawn"; do
  for split in "--split=widths --chunk=1" "--split=samples --chunk=4096" "--algorithm=naive"; do
    # shellcheck disable=SC2086  # $executor and $split hold flags.
    [[ "$(biweight --executor=$executor $split)" == "$reference" ]] \
      || fail "biweight on $executor $split differs from serial"
  done
done
echo "biweight: found by name, the same CSV on every executor, split and algorithm"

# knn_example's partial is the k nearest distances, neither a count nor a sum: the runtime
# merges it without knowing, and every executor and split prints the same CSV.
"$with_example" --list | grep -q '^  knn_example: ' || fail "--list does not show knn_example"
knn() { "$with_example" --kernel=knn_example --widths=1,2,5,10,50 --grid=-1:1:4 --format=csv "$@"; }
reference=$(knn)
for executor in "threads --workers=2" "process --workers=2" "process --workers=2 --start_method=spawn"; do
  for split in "--split=widths --chunk=1" "--split=samples --chunk=700"; do
    # shellcheck disable=SC2086  # $executor and $split hold flags.
    [[ "$(knn --executor=$executor $split)" == "$reference" ]] \
      || fail "knn_example on $executor $split differs from serial"
  done
done
echo "knn_example: found by name, the same CSV on every executor and split"
