"""measure_peak_memory.py: the peak memory of a command and every process it starts.

/usr/bin/time -v reports the largest resident set of any one process, which for the process
executor counts pages that fork shares copy-on-write once per worker, and misses a spawned
worker's shared-memory file (held by no process's heap). This samples, every 5 ms, the sum
over the command's process tree of Pss (each shared page divided among the processes that map
it) and Rss from /proc/PID/smaps_rollup, and the growth of the machine's Shmem (memfd and
tmpfs pages: machine-wide, so other work moves it), and prints the peaks in MiB.

Example:
  /usr/bin/python3 executors/process/measure_peak_memory.py \
      bazel-bin/tools/sweep --n=10000000 --executor=process --workers=2 --start_method=spawn
"""
import os
import subprocess
import sys
import time


def children(pid):
    found = []
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{tid}/children") as f:
                found += [int(child) for child in f.read().split()]
    except OSError:  # The process ended between two reads.
        pass
    return found


def rollup(pid):
    kib = {}
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                parts = line.split()
                if len(parts) == 3 and parts[0].endswith(":") and parts[2] == "kB":
                    kib[parts[0][:-1]] = int(parts[1])
    except OSError:
        pass
    return kib


def shmem_kib():
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("Shmem:"):
                return int(line.split()[1])
    return 0


def main():
    if len(sys.argv) < 2:
        sys.exit("usage: measure_peak_memory.py COMMAND [ARGS...]")
    shmem_before = shmem_kib()
    command = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL)
    peak = {"pss": 0, "rss": 0, "anonymous": 0, "shmem": 0}
    processes_at_peak = 0
    while command.poll() is None:
        tree, todo = [], [command.pid]
        while todo:
            pid = todo.pop()
            tree.append(pid)
            todo += children(pid)
        pss = rss = anonymous = 0
        for pid in tree:
            kib = rollup(pid)
            pss += kib.get("Pss", 0)
            rss += kib.get("Rss", 0)
            anonymous += kib.get("Anonymous", 0)
        if pss > peak["pss"]:
            processes_at_peak = len(tree)
        peak["pss"] = max(peak["pss"], pss)
        peak["rss"] = max(peak["rss"], rss)
        peak["anonymous"] = max(peak["anonymous"], anonymous)
        peak["shmem"] = max(peak["shmem"], shmem_kib() - shmem_before)
        time.sleep(0.005)
    if command.returncode != 0:
        sys.exit(f"the command exited with status {command.returncode}")
    mib = {name: kib / 1024 for name, kib in peak.items()}
    print(f"peak summed Pss {mib['pss']:.1f} MiB ({processes_at_peak} processes), "
          f"summed Rss {mib['rss']:.1f} MiB, anonymous {mib['anonymous']:.1f} MiB, "
          f"new Shmem {mib['shmem']:.1f} MiB")


if __name__ == "__main__":
    main()
