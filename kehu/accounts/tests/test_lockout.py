"""Which address login failures count against, directly and behind reverse proxies."""

import pytest
from django.test import RequestFactory

from kehu.accounts.lockout import client_ip


def request(remote="10.0.0.1", forwarded=None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().post("/accounts/login/", **extra)


def test_without_proxies_the_peer_address_counts(settings):
    settings.AXES_IPWARE_PROXY_COUNT = 0

    # A client cannot pick its address by sending the header itself
    assert client_ip(request("203.0.113.7", forwarded="198.51.100.1")) == "203.0.113.7"


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (1, "203.0.113.7", "203.0.113.7"),
        (1, "1.2.3.4, 203.0.113.7", "203.0.113.7"),  # 1.2.3.4 was sent by the client: ignored
        (2, "1.2.3.4, 203.0.113.7, 10.0.0.5", "203.0.113.7"),
        (2, "203.0.113.7,10.0.0.5", "203.0.113.7"),
    ],
)
def test_behind_proxies_the_client_is_counted_from_the_right(
    settings, proxies, forwarded, expected
):
    settings.AXES_IPWARE_PROXY_COUNT = proxies

    assert client_ip(request("10.0.0.1", forwarded=forwarded)) == expected


@pytest.mark.parametrize("forwarded", [None, "", " , "])
def test_missing_forwarded_header_falls_back_to_the_peer(settings, forwarded):
    settings.AXES_IPWARE_PROXY_COUNT = 1

    assert client_ip(request("10.0.0.1", forwarded=forwarded)) == "10.0.0.1"


def test_fewer_hops_than_proxies_falls_back_to_the_peer(settings):
    settings.AXES_IPWARE_PROXY_COUNT = 2

    assert client_ip(request("10.0.0.1", forwarded="203.0.113.7")) == "10.0.0.1"


def test_axes_counts_failures_against_the_client_behind_the_proxy(settings):
    from axes.helpers import get_client_ip_address

    settings.AXES_IPWARE_PROXY_COUNT = 1

    assert get_client_ip_address(request("10.0.0.1", forwarded="203.0.113.7")) == "203.0.113.7"
