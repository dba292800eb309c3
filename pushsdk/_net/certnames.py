"""The names in an X.509 certificate (DER): its issuer, and the host names it is for.

After a certificate failure, OpenSSL says only *that* the name or the issuer is
wrong; ``ssl`` decodes a certificate only once it was verified. So that the error
can say *which* names and *which* issuer, the client fetches the certificate once
more without verifying it (``_net.certprobe``) and reads it here: a minimal DER walk, no
I/O, that gives up (returns nothing) on anything it does not expect.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

__all__ = ["CertNames", "read_names"]

_CN = bytes.fromhex("550403")  # 2.5.4.3 commonName
_O = bytes.fromhex("55040a")  # 2.5.4.10 organizationName
_SAN = bytes.fromhex("551d11")  # 2.5.29.17 subjectAltName
_SEQUENCE, _SET, _OID, _OCTETS = 0x30, 0x31, 0x06, 0x04
_EXTENSIONS = 0xA3  # [3] EXPLICIT in TBSCertificate
_DNS_NAME, _IP_ADDRESS = 0x82, 0x87  # GeneralName [2] and [7]


@dataclass(frozen=True)
class CertNames:
    """What a certificate says of itself, for an error message."""

    issuer: str
    hosts: tuple[str, ...]


def _items(data: bytes) -> list[tuple[int, bytes]]:
    """The (tag, content) of each DER element in ``data``, in order."""
    items = []
    index = 0
    while index < len(data):
        tag = data[index]
        length = data[index + 1]
        index += 2
        if length & 0x80:
            count = length & 0x7F
            if not 0 < count <= 4:
                raise ValueError("unsupported DER length")
            length = int.from_bytes(data[index : index + count], "big")
            index += count
        if index + length > len(data):
            raise ValueError("truncated DER")
        items.append((tag, data[index : index + length]))
        index += length
    return items


def _name(content: bytes) -> tuple[str, str]:
    """The commonName and organizationName of a Name (empty when absent)."""
    found = {_CN: "", _O: ""}
    for _, relative in _items(content):  # SET OF AttributeTypeAndValue
        for _, attribute in _items(relative):
            (_, oid), (_, value) = _items(attribute)[:2]
            if oid in found:
                found[oid] = value.decode("utf-8", "replace")
    return found[_CN], found[_O]


def _alt_names(extensions: bytes) -> list[str]:
    names: list[str] = []
    (_, sequence), *_ = _items(extensions)
    for _, extension in _items(sequence):
        parts = _items(extension)
        if parts[0][1] != _SAN:
            continue
        (_, general_names), *_ = _items(parts[-1][1])
        for tag, value in _items(general_names):
            if tag == _DNS_NAME:
                names.append(value.decode("ascii", "replace"))
            elif tag == _IP_ADDRESS and len(value) in (4, 16):
                names.append(str(ipaddress.ip_address(value)))
    return names


def read_names(der: bytes) -> CertNames | None:
    """The issuer and host names of a DER certificate; None if it cannot be read."""
    try:
        ((_, certificate),) = _items(der)
        (_, tbs), *_ = _items(certificate)
        fields = _items(tbs)
        if fields and fields[0][0] == 0xA0:  # [0] version
            fields = fields[1:]
        # serialNumber, signature, issuer, validity, subject, subjectPublicKeyInfo, ...
        issuer_cn, issuer_o = _name(fields[2][1])
        subject_cn, _ = _name(fields[4][1])
        extensions = next((content for tag, content in fields[6:] if tag == _EXTENSIONS), None)
        hosts = _alt_names(extensions) if extensions is not None else []
    except (ValueError, IndexError):
        return None
    if not hosts and subject_cn:
        hosts = [subject_cn]
    issuer = ", ".join(part for part in (issuer_cn, issuer_o) if part) or "an unnamed issuer"
    return CertNames(issuer, tuple(hosts))
