"""Runs adapt_audit's programs inside the sandbox container, each in a fresh process; JSON in and out."""

from __future__ import annotations

import json
import subprocess
import sys

ENV = {"PATH": "/opt/venv/bin:/usr/local/bin:/usr/bin:/bin", "MPLBACKEND": "Agg", "HOME": "/tmp"}

results = []
for job in json.load(sys.stdin):
    command = ["python3", "-"] if job["language"] == "python" else ["bash", "-s"]
    try:
        done = subprocess.run(command, input=job["code"], capture_output=True, text=True, timeout=30,
                              cwd="/workspace", env=ENV)
        results.append({"rc": done.returncode, "stdout": done.stdout, "stderr": done.stderr[-300:]})
    except subprocess.TimeoutExpired:
        results.append({"rc": -1, "stdout": "", "stderr": "timeout"})
json.dump(results, sys.stdout)
