"""Handwritten signatures as vector strokes, kept with who signed, in which role, and when.

Points are normalised to the pad (0..1 across, 0..1 down) with the pen's pressure, so the
PDF draws the same signature at any size, as paths rather than a picture.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from enum import StrEnum


class SignerRole(StrEnum):
    RESIDENT = "resident"
    ADVISOR = "advisor"
    LANDLORD = "landlord"


Point = tuple[float, float, float]  # x, y (0..1), pressure (0..1)


@dataclass
class Signature:
    role: SignerRole
    name: str
    signed_at: str                       # ISO timestamp, UTC
    strokes: list[list[Point]] = field(default_factory=list)
    aspect: float = 3.0                  # the pad's width / height

    @property
    def empty(self) -> bool:
        return not any(len(stroke) > 1 for stroke in self.strokes)

    def to_json(self) -> dict:
        data = asdict(self)
        data["role"] = self.role.value
        return data

    @classmethod
    def from_json(cls, data: dict) -> Signature:
        return cls(SignerRole(data["role"]), data["name"], data["signed_at"],
                   [[tuple(point) for point in stroke] for stroke in data["strokes"]],
                   data.get("aspect", 3.0))


def dumps(signatures: list[Signature]) -> str:
    return json.dumps([s.to_json() for s in signatures], ensure_ascii=False)


def loads(text: str) -> list[Signature]:
    return [Signature.from_json(item) for item in json.loads(text or "[]")]
