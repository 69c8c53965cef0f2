"""deploy/nginx.conf: valid for nginx, and pointed at the compose `web` service's port."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from deploy_files import PRODUCTION, ROOT, compose_config, environment_of

CONF = ROOT / "deploy" / "nginx.conf"


def test_nginx_accepts_the_config(tmp_path: Path) -> None:
    """`nginx -t` with the file included where the official image includes conf.d/*.conf."""
    nginx = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/usr/local/sbin")
    if nginx is None:
        pytest.skip("nginx is not installed (apt-get install nginx-core)")
    wrapper = tmp_path / "nginx.conf"
    wrapper.write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log stderr;\nevents {{}}\n"
        f"http {{\n  access_log off;\n  client_body_temp_path {tmp_path};\n"
        f"  proxy_temp_path {tmp_path};\n  include {CONF};\n}}\n"
    )
    result = subprocess.run(
        [nginx, "-t", "-p", str(tmp_path), "-c", str(wrapper)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr


def test_proxy_targets_the_web_service_port_resolved_per_request() -> None:
    text = CONF.read_text()
    web = compose_config(PRODUCTION)["services"]["web"]
    port = environment_of(web)["PORT"]
    assert re.search(rf"http://web:{port}\s*;", text), "proxy_pass target is web:PORT"
    # Docker's DNS, re-read so that scaled and replaced replicas are found.
    assert re.search(r"^resolver 127\.0\.0\.11 valid=\d+s", text, re.M)
    assert "proxy_pass $web_upstream;" in text
    assert str(port) in [str(p) for p in web["expose"]]


def test_proxy_lets_the_largest_dashboard_upload_through() -> None:
    """dcc.Upload posts the file base64-encoded (4/3 of its size) inside a JSON callback."""
    from webapp.dashboard.upload import MAX_UPLOAD_BYTES

    match = re.search(r"client_max_body_size (\d+)m;", CONF.read_text())
    assert match, "client_max_body_size in megabytes"
    assert int(match.group(1)) * 2**20 > MAX_UPLOAD_BYTES * 4 / 3 + 2**20
