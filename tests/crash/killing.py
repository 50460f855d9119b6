"""Shared by the crash tests: run the capture child, follow its "rows N" reports, kill it."""

import signal
import subprocess
import threading
import time


def run_and_kill(command: list, delay: float) -> int:
    """Starts `command`, kills it with SIGKILL after `delay` seconds and returns the last
    number of durable rows it reported ("rows N" lines)."""
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    durable = [0]

    def read_reports():
        for line in proc.stdout:
            if line.startswith("rows "):
                durable[0] = int(line.split()[1])

    reader = threading.Thread(target=read_reports)
    reader.start()
    time.sleep(delay)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    reader.join()
    return durable[0]
