"""Floods with fresh ids are slowed per client address (issue 12, item 7).

Before the fix only each sender had a bucket, so 80 messages with 80 new sender ids were
never slowed. Now anonymous callers are also limited per client address, in the REST channel
(new web sessions count too) and in the nginx template; the address comes from
X-Forwarded-For only when the request comes from a proxy in ``TRUSTED_PROXIES`` (the test
stack trusts 127.0.0.1, so each test floods from an address of its own).
"""

import shutil
import subprocess
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests

from bot.channels import SLOW_DOWN
from bot.i18n import translate
from bot.rate_limit import address_limiter_from_environment, client_address, trusted_proxies
from tests.helpers import text_of

ROOT = Path(__file__).resolve().parent.parent


def test_the_client_address_is_the_last_untrusted_hop_only_behind_a_trusted_proxy():
    proxies = trusted_proxies({"TRUSTED_PROXIES": "127.0.0.1, 10.0.0.0/8,::1"})
    assert client_address("198.51.100.7", None, proxies) == "198.51.100.7"
    # A client talking to us directly cannot choose its address by writing the header.
    assert client_address("198.51.100.7", "203.0.113.9", proxies) == "198.51.100.7"
    assert client_address("127.0.0.1", "203.0.113.9", proxies) == "203.0.113.9"
    # What the client wrote comes first; the hops our proxies appended are at the end.
    assert client_address("127.0.0.1", "6.6.6.6, 203.0.113.9, 10.1.2.3", proxies) == "203.0.113.9"
    assert client_address("::1", "2001:db8::1", proxies) == "2001:db8::1"
    assert client_address("127.0.0.1", "not-an-address", proxies) == "127.0.0.1"
    assert client_address("127.0.0.1", "203.0.113.9", trusted_proxies({})) == "127.0.0.1"  # default: none trusted
    with pytest.raises(ValueError):
        trusted_proxies({"TRUSTED_PROXIES": "nginx.local"})


def test_the_address_limit_comes_from_the_environment():
    limiter = address_limiter_from_environment({"RATE_LIMIT_ADDRESS_PER_MINUTE": "60", "RATE_LIMIT_ADDRESS_BURST": "3"})
    assert [limiter.check("203.0.113.1").allowed for _ in range(4)] == [True, True, True, False]
    assert limiter.check("203.0.113.2").allowed
    assert address_limiter_from_environment({"RATE_LIMIT_ADDRESS_PER_MINUTE": "0"}).check("x").allowed
    with pytest.raises(ValueError):
        address_limiter_from_environment({"RATE_LIMIT_ADDRESS_BURST": "0"})


def _flood_one(base_url: str, address: str, language: str):
    """A new web session and one message from ``address``: "session" (429 at the session
    route), "slowed" (the slow-down reply) or "answered"."""
    headers = {"X-Forwarded-For": address}
    session = requests.post(f"{base_url}/webhooks/rest/session", headers=headers, timeout=30)
    if session.status_code == 429:
        assert int(session.headers["Retry-After"]) >= 1
        return "session"
    assert session.status_code == 200, session.text
    body = {**session.json(), "message": "hej", "metadata": {"language": language}}
    response = requests.post(f"{base_url}/webhooks/rest/webhook", json=body, headers=headers, timeout=60)
    assert response.status_code == 200, response.text
    if text_of(response.json()) == translate(language, SLOW_DOWN):
        assert int(response.headers["Retry-After"]) >= 1
        return "slowed"
    return "answered"


@pytest.mark.parametrize("language", ["ar"])
def test_eighty_fresh_ids_from_one_address_are_slowed_and_others_are_not(chat, language):
    flooder = f"203.0.113.{uuid.uuid4().int % 250 + 1}"
    with ThreadPoolExecutor(8) as pool:
        outcomes = list(pool.map(lambda _: _flood_one(chat.base_url, flooder, language), range(80)))
    assert outcomes.count("answered") < 60, outcomes
    assert outcomes.count("session") + outcomes.count("slowed") >= 20, outcomes
    # Someone else, and the Telegram worker (token), are not touched by that address's flood.
    assert _flood_one(chat.base_url, f"198.51.100.{uuid.uuid4().int % 250 + 1}", "sv") == "answered"
    assert text_of(chat.send(f"telegram-{uuid.uuid4().int % 10 ** 9}", "hej")) != translate("sv", SLOW_DOWN)


@pytest.mark.skipif(not shutil.which("nginx"), reason="nginx is not installed")
def test_the_nginx_template_limits_newcomers_per_address(tmp_path):
    text = (ROOT / "deploy" / "nginx.conf.template").read_text()
    assert "limit_req_zone $newcomer_address" in text and "limit_req zone=newcomers" in text
    (tmp_path / "tmp").mkdir()
    for placeholder, value in {"{state}": str(tmp_path), "{rasa_servers}": "        server 127.0.0.1:9;",
                               "{web_port}": "9", "{port}": "9"}.items():
        text = text.replace(placeholder, value)
    conf = tmp_path / "nginx.conf"
    conf.write_text(text)
    checked = subprocess.run([shutil.which("nginx"), "-t", "-p", str(tmp_path), "-c", str(conf),
                              "-e", str(tmp_path / "error.log")], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
