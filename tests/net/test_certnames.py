"""``_net.certnames``: the issuer and host names read from DER certificates (trustme-made)."""

from __future__ import annotations

import ssl

import pytest
import trustme

from pushsdk._net.certnames import CertNames, read_names


def _der(cert: trustme.LeafCert) -> bytes:
    return ssl.PEM_cert_to_DER_cert(cert.cert_chain_pems[0].bytes().decode())


@pytest.mark.parametrize(
    ("names", "expected"),
    [
        (("example.com",), ("example.com",)),
        (("a.example", "*.b.example"), ("a.example", "*.b.example")),
        (("10.1.2.3", "::1"), ("10.1.2.3", "::1")),
    ],
)
def test_issuer_and_host_names(names: tuple[str, ...], expected: tuple[str, ...]) -> None:
    ca = trustme.CA(organization_name="Corp CA")
    assert read_names(_der(ca.issue_cert(*names))) == CertNames("Corp CA", expected)


def test_the_common_name_stands_in_for_missing_alt_names() -> None:
    ca = trustme.CA(organization_name="Corp CA")
    cert = ca.issue_cert("svc.example", common_name="svc.example")
    found = read_names(_der(cert))
    assert found is not None and "svc.example" in found.hosts


@pytest.mark.parametrize("data", [b"", b"garbage", b"\x30\x85\x00", b"\x30\x02\x30"])
def test_anything_else_is_none(data: bytes) -> None:
    assert read_names(data) is None
