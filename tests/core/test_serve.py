"""`lantern serve` runs gunicorn (not Django's development server) and answers requests."""

import os
import socket
import subprocess
import sys
import time
import urllib.request


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_lantern_serve_answers_over_http(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LANTERN_", "DJANGO_", "DATABASE_URL"))}
    env["LANTERN_DATA_DIR"] = str(tmp_path)
    subprocess.run([sys.executable, "-m", "lantern", "migrate", "-v0"], env=env, check=True)
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "lantern", "serve", f"127.0.0.1:{port}", "--workers", "1"],
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2) as response:  # noqa: S310
                    assert response.status == 200
                    assert response.headers["Server"].startswith("gunicorn")
                    assert response.headers["X-Content-Type-Options"] == "nosniff"
                    break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.3)
    finally:
        server.terminate()
        server.wait(timeout=10)
