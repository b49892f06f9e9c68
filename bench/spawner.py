"""Runs the benchmark's commands from a small process, so that their peak memory is theirs.

Linux counts, in a child's maximum resident set, the memory of the process it was forked
from until it calls ``exec``: a command started by the benchmark (which holds Beancount
and the generated books' models) would show at least the benchmark's own size. This
script, started first with nothing imported, reads one JSON request a line on standard
input (``{"command": [...], "env": {...}, "cwd": "..."}``), runs it, and answers one JSON
line: wall and CPU seconds, peak memory in KiB, exit status and the end of its stderr.
"""

import json
import os
import subprocess
import sys
import tempfile
import time


def main() -> None:
    for line in sys.stdin:
        request = json.loads(line)
        with tempfile.TemporaryFile() as errors:
            start = time.perf_counter()
            process = subprocess.Popen(
                request["command"],
                stdout=subprocess.DEVNULL,
                stderr=errors,
                env=request["env"],
                cwd=request["cwd"],
            )
            _, status, usage = os.wait4(process.pid, 0)
            wall = time.perf_counter() - start
            process.returncode = os.waitstatus_to_exitcode(status)
            errors.seek(0)
            tail = errors.read().decode("utf-8", "replace")[-600:]
        answer = {
            "wall": wall,
            "cpu": usage.ru_utime + usage.ru_stime,
            "rss_kib": usage.ru_maxrss,
            "code": process.returncode,
            "stderr": tail,
        }
        sys.stdout.write(json.dumps(answer) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
