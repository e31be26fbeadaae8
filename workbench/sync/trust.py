"""Which devices belong to the team, decided on the laptops, not by the server.

Every device has its own X25519 (to receive team keys) and Ed25519 (to sign records) key
pairs, made on the laptop and kept in its encrypted store. An administrator's device admits
a new one by signing a certificate (team, device, name, user, role, public keys) after
comparing the fingerprint the new laptop shows. The first device of a team signs its own;
its signing key is the team's root, carried in every invitation. A laptop trusts a device
only through a chain of such certificates back to the root, each signer an administrator,
so a server that adds a device or swaps a key gains nothing.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from workbench.store.crypto import KeyPairs, b64, canonical, unb64, verify_signature

ROLES = ("admin", "advisor", "lead")


class TrustProblem(Exception):
    """A device whose certificate does not lead back to the team's root."""


def fingerprint(sign_public: bytes, box_public: bytes, device_id: str, name: str,
                user: str, role: str) -> str:
    """Five groups of four hex digits (80 bits) to read aloud and compare. It covers the
    laptop's keys *and* what the invitation said (device, name, user, role), so a server
    that changes a waiting laptop's role makes the fingerprints differ."""
    described = canonical({"device": device_id, "name": name, "user": user, "role": role,
                           "sign": b64(sign_public), "box": b64(box_public)})
    digest = hashlib.sha256(b"workbench device v2" + described).hexdigest()
    return "-".join(digest[i:i + 4] for i in range(0, 20, 4)).upper()


def normalise_fingerprint(text: str) -> str:
    digits = "".join(ch for ch in text.upper() if ch in "0123456789ABCDEF")
    return "-".join(digits[i:i + 4] for i in range(0, len(digits), 4))


@dataclass(frozen=True)
class DeviceCard:
    """A device as its certificate describes it."""

    team: str
    device_id: str
    name: str
    user: str
    role: str
    box_public: bytes
    sign_public: bytes
    approved_by: str

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.sign_public, self.box_public, self.device_id, self.name,
                           self.user, self.role)


def certify(*, team: str, device_id: str, name: str, user: str, role: str,
            box_public: bytes, sign_public: bytes, approver_id: str,
            approver_keys: KeyPairs, epoch: int = 1) -> bytes:
    """``epoch``: the team key's epoch when approved (an administrator's laptop removed
    later cannot approve devices after its removal)."""
    body = {"team": team, "device": device_id, "name": name, "user": user, "role": role,
            "box": b64(box_public), "sign": b64(sign_public), "epoch": epoch}
    signature = approver_keys.sign(canonical({"certificate": body, "by": approver_id}))
    return canonical({"body": body, "by": approver_id, "sig": b64(signature)})


def _read(certificate: bytes) -> tuple[dict, str, bytes]:
    try:
        data = json.loads(bytes(certificate))
        return data["body"], data["by"], unb64(data["sig"])
    except (ValueError, KeyError, TypeError) as error:
        raise TrustProblem("unreadable certificate") from error


def verify(certificates: dict[str, bytes], device_id: str, *, team: str,
           root_sign_public: bytes, removed: dict | None = None) -> DeviceCard:
    """The device's card if its certificate chain reaches the root through administrators
    (none of whom had been removed when they approved the next)."""
    removed = removed or {}
    seen: set[str] = set()
    current = device_id
    cards: list[DeviceCard] = []
    while True:
        if current in seen:
            raise TrustProblem("certificate loop")
        seen.add(current)
        certificate = certificates.get(current)
        if certificate is None:
            raise TrustProblem("no certificate")
        body, by, signature = _read(certificate)
        if body.get("team") != team or body.get("device") != current:
            raise TrustProblem("certificate of another team or device")
        if body.get("role") not in ROLES:
            raise TrustProblem("unknown role")
        card = DeviceCard(team, current, body["name"], body["user"], body["role"],
                          unb64(body["box"]), unb64(body["sign"]), by)
        cards.append(card)
        message = canonical({"certificate": body, "by": by})
        if by == current:
            # Self-signed: only the root may be.
            if card.sign_public != root_sign_public or not verify_signature(
                    root_sign_public, signature, message):
                raise TrustProblem("self-signed by a key that is not the team's root")
            break
        signer_cert = certificates.get(by)
        if signer_cert is None:
            raise TrustProblem("approver unknown")
        signer_body, _, _ = _read(signer_cert)
        if signer_body.get("role") != "admin":
            raise TrustProblem("approved by a device that is not an administrator's")
        gone = removed.get(by)
        if gone is not None and int(body.get("epoch", 1)) >= gone["epoch"].get("case", 0):
            raise TrustProblem("approved by a device after it was removed")
        if not verify_signature(unb64(signer_body["sign"]), signature, message):
            raise TrustProblem("signature does not hold")
        current = by
    return cards[0]
