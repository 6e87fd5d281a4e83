#!/usr/bin/env python3
"""Time one command: wall time from just before it is spawned until it is reaped, without the
shell and timeout(1) processes the old measurement put in between (with GNU time they cost
3–4 ms per run here, counted against a tool that finishes in tens of milliseconds). Peak RSS
still comes from GNU time (%M), the one process left in between (about 1 ms): wait4's own
ru_maxrss would include this Python process, whose memory the child shares until it execs.

Usage: timed.py TIMEOUT_S LOGFILE CMD [ARG...]
Prints "RC WALL_S MAXRSS_KIB"; RC is 124 when the command was killed at the timeout (as
timeout(1) reports it). The command's stdout and stderr go to LOGFILE.
"""
import os
import signal
import subprocess
import sys
import threading
import time


def main() -> int:
    if len(sys.argv) < 4:
        print(__doc__, file=sys.stderr)
        return 2
    timeout = float(sys.argv[1])
    log = open(sys.argv[2], "wb")
    rss_file = sys.argv[2] + ".rss"
    cmd = ["/usr/bin/time", "-f", "%M", "-o", rss_file] + sys.argv[3:]
    timed_out = threading.Event()
    t0 = time.perf_counter()
    # Its own process group, so a timeout also ends what the command started (node, python).
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)

    def kill() -> None:
        # Everything in the group but GNU time, which then reports the peak RSS at the stop.
        timed_out.set()
        for entry in os.listdir("/proc"):
            if not entry.isdigit() or int(entry) == proc.pid:
                continue
            try:
                with open(f"/proc/{entry}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
                if int(fields[2]) == proc.pid:
                    os.kill(int(entry), signal.SIGKILL)
            except (OSError, ValueError, IndexError):
                pass

    timer = threading.Timer(timeout, kill)
    timer.daemon = True
    timer.start()
    _, status, _ = os.wait4(proc.pid, 0)
    t1 = time.perf_counter()
    timer.cancel()
    # Reap anything the command left behind in its group.
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    if timed_out.is_set():
        rc = 124
    elif os.WIFEXITED(status):
        rc = os.WEXITSTATUS(status)
    else:
        rc = 128 + os.WTERMSIG(status)
    try:
        # GNU time writes "Command exited with non-zero status N" before the number on failure.
        with open(rss_file) as f:
            rss = int(f.read().split()[-1])
        os.unlink(rss_file)
    except (OSError, ValueError, IndexError):
        rss = 0
    print(f"{rc} {t1 - t0:.4f} {rss}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
