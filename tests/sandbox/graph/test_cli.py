"""`crmsync sandbox serve` serves Microsoft Graph over the same generated mailboxes, trusted through the same CA."""
from __future__ import annotations

import json
import signal
import subprocess
import sys

import requests

from crmsync_gui.sandbox.graph import SCOPE


def test_serve_prints_graph_fields_and_graph_serves_the_generated_mailboxes(graph_schema):
    proc = subprocess.Popen([sys.executable, "-m", "crmsync_gui.cli", "sandbox", "serve", "--mailboxes", "1",
                             "--items", "10", "--graph-fault",
                             "http,status=503,mailbox=user1@sandbox.test,operation=list_messages,times=1"],
                            stdout=subprocess.PIPE, text=True)
    try:
        ready = json.loads(proc.stdout.readline())
        assert ready["graph_url"].startswith("https://127.0.0.1:") and ready["graph_url"].endswith("/v1.0")
        assert ready["graph_ca_file"] == ready["ca_file"]
        assert ready["token_url"].endswith(f"/{ready['tenant']}/oauth2/v2.0/token")
        token = requests.post(ready["token_url"], verify=ready["ca_file"], timeout=10, data={
            "grant_type": "client_credentials", "client_id": ready["client_id"],
            "client_secret": ready["client_secret"], "scope": SCOPE}).json()["access_token"]
        inbox = f"{ready['graph_url']}/users/user1@sandbox.test/mailFolders/inbox/messages"
        headers = {"Authorization": f"Bearer {token}"}
        faulted = requests.get(inbox, headers=headers, verify=ready["ca_file"], timeout=10)
        assert faulted.status_code == 503 and graph_schema.check_error(faulted.json()) == []
        listed = requests.get(inbox, headers=headers, verify=ready["ca_file"], timeout=10).json()
        assert graph_schema.check_page(listed, "graph.message") == [] and listed["value"]
    finally:
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=10) == 0
        proc.stdout.close()


def test_a_bad_graph_fault_is_one_clear_line():
    done = subprocess.run([sys.executable, "-m", "crmsync_gui.cli", "sandbox", "serve", "--mailboxes", "1",
                           "--items", "1", "--graph-fault", "flood"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "graph fault 'flood': unknown fault kind 'flood'" in done.stderr and done.stderr.count("\n") == 1
