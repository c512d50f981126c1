"""The command as a person runs it: its own process, a new data folder, the desktop server."""

import json
import signal
import socket
import subprocess
import threading
import urllib.request
from pathlib import Path

import pytest

from partida.attachments.models import Attachment
from partida.cli import company_summary, make_server
from partida.demo.generate import do_create_demo_company
from partida.mail.models import EmailAttachment

from .conftest import desktop_env, partida_command


def test_a_new_data_folder_works_and_a_seed_gives_the_same_company_anywhere(
    run_process, tmp_path, db
):
    home = tmp_path / "new home"
    result = run_process(home, "companies", "--json")
    assert (result.returncode, json.loads(result.stdout), result.stderr) == (0, [], "")
    assert (home / "partida.sqlite3").exists()  # made and migrated on first use

    result = run_process(home, "demo", "--name", "Viajera S.L.", "--seed", "12")
    assert result.returncode == 0, result.stderr
    result = run_process(home, "summary", "Viajera S.L.", "--json")
    assert result.returncode == 0, result.stderr
    elsewhere = json.loads(result.stdout)

    # The same demo made in this test's database: same keys, same books, same files.
    here = do_create_demo_company("Viajera S.L.", "small", seed=12)
    assert company_summary(here) == elsewhere
    stored_there = {path.name for path in (home / "files" / "blobs").glob("*/*")}
    used_here = set(Attachment.objects.filter(company=here).values_list("sha256", flat=True))
    used_here |= set(EmailAttachment.objects.filter(company=here).values_list("sha256", flat=True))
    assert stored_there == used_here


def get(url: str) -> tuple[int, str, bytes]:
    with urllib.request.urlopen(url, timeout=20) as response:
        return response.status, response.headers.get("Content-Type", ""), response.read()


def test_serve_listens_on_loopback_with_styles_and_stops_on_ctrl_c(tmp_path):
    home = tmp_path / "home"
    process = subprocess.Popen(
        partida_command("serve", "--port", "0"),
        env=desktop_env(home),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = process.stdout.readline()
        assert line.startswith("Partida is running at http://127.0.0.1:"), line
        url = line.split(" at ", 1)[1].split()[0]
        status, content_type, body = get(url)
        assert status == 200 and "text/html" in content_type
        assert b"partida.css" in body
        status, content_type, css = get(url + "static/partida/partida.css")
        assert status == 200 and content_type.startswith("text/css") and len(css) > 100
    finally:
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=20)
    assert process.returncode == 0, err
    assert "Stopped." in out


def test_the_server_answers_only_on_127_0_0_1(db):
    server = make_server(0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        host, port = server.server_address
        assert host == "127.0.0.1"
        status, _, css = get(f"http://127.0.0.1:{port}/static/partida/partida.css")
        assert status == 200 and css
        outside = [
            address
            for address in {info[4][0] for info in socket.getaddrinfo(socket.gethostname(), None)}
            if not address.startswith("127.") and ":" not in address
        ]
        for address in outside:
            with pytest.raises(OSError), socket.create_connection((address, port), timeout=2):
                pass
    finally:
        server.shutdown()
        server.server_close()


def test_a_port_in_use_is_one_sentence_and_status_1(run):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        status, out, err = run("serve", "--port", str(port))
    assert status == 1 and out == ""
    assert err.strip().endswith("choose another with --port.") and "\n" not in err.strip()


def test_a_command_that_cannot_write_now_says_why_in_one_sentence(run_process, tmp_path):
    """Another process holds SQLite's write lock (as an import's last step does)."""
    import sqlite3

    home = tmp_path / "home"
    assert run_process(home, "companies").returncode == 0  # a migrated data folder
    writer = sqlite3.connect(home / "partida.sqlite3", isolation_level=None)
    try:
        writer.execute("BEGIN IMMEDIATE")
        result = subprocess.run(
            partida_command("demo", "--name", "Espera S.L."),
            env={**desktop_env(home), "PARTIDA_SQLITE_BUSY_SECONDS": "1"},
            capture_output=True,
            text=True,
            timeout=120,
        )
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "Another Partida is saving to this data folder right now (an import, most likely): "
        "try again in a moment."
    )
    assert run_process(home, "demo", "--name", "Espera S.L.").returncode == 0


def test_a_start_removes_old_files_no_row_refers_to_and_keeps_the_rest(run_process, tmp_path):
    """Files a save killed midway left behind (an orphan blob, a temporary file) are removed
    once an hour old; a newer one may belong to a save in progress and stays."""
    import hashlib
    import os
    import time

    home = tmp_path / "home"
    assert run_process(home, "demo", "--name", "Con Adjuntos S.L.", "--seed", "2").returncode == 0
    blobs = home / "files" / "blobs"
    used = sorted(p for p in blobs.glob("*/*") if p.parent.name != "tmp")
    assert used

    def orphan(data: bytes, age: float) -> Path:
        sha = hashlib.sha256(data).hexdigest()
        path = blobs / sha[:2] / sha
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        os.utime(path, (time.time() - age, time.time() - age))
        return path

    old, new = orphan(b"left by a killed save", 7200), orphan(b"being saved now", 60)
    temporary = blobs / "tmp" / "upload-killed"
    temporary.parent.mkdir(parents=True, exist_ok=True)
    temporary.write_bytes(b"half")
    os.utime(temporary, (time.time() - 7200, time.time() - 7200))

    assert run_process(home, "companies").returncode == 0
    assert not old.exists() and not temporary.exists()
    assert new.exists() and all(path.exists() for path in used)
