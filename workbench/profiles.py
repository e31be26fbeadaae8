"""Users' profiles: the full name, title and contact details printed on agreements.

A profile is no security property, so it lives in the case store (keyed by the roster's
user name), not in the signed roster. A user edits their own; an administrator anybody's.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from workbench.errors import FieldError, ValidationError
from workbench.i18n import N_
from workbench.session import Role, Session, now_utc

MAX_FIELD = 200
FIELDS = ("full_name", "title", "phone", "email", "address")


@dataclass(frozen=True)
class Profile:
    user_name: str
    full_name: str = ""
    title: str = ""
    phone: str = ""
    email: str = ""
    address: str = ""

    @property
    def display_name(self) -> str:
        """The name to print: the full name, or the user name until one is given."""
        return self.full_name or self.user_name


class ProfileService:
    def __init__(self, session: Session) -> None:
        self.session = session

    def profile(self, name: str) -> Profile:
        """``name``'s profile (empty fields until filled in)."""
        self.session.require_case_work(N_("see case data"))
        row = self.session.db.one(
            "SELECT full_name, title, phone, email, address FROM user_profiles "
            "WHERE user_name = ?", (name,))
        return Profile(name, *row) if row else Profile(name)

    def set_profile(self, profile: Profile) -> Profile:
        """Save a profile in one audited action: one's own, or anybody's as an admin."""
        name = profile.user_name
        if name != self.session.user.name:
            self.session.require(Role.ADMIN, N_("change another user's details"))
        if self.session.db is None:
            raise ValidationError(N_("Details are kept in the case store, which a project "
                                     "lead's passphrase does not open."))
        if name not in self.session.access.roster.members:
            raise ValidationError(N_("There is no user named “{user}” in this store."),
                                  user=name)
        profile = _checked(profile)
        db = self.session.db
        user_id = db.scalar("SELECT id FROM users WHERE name = ?", (name,))
        with self.session.action("user.profile", "user", user_id):
            db.execute(
                "INSERT INTO user_profiles (user_name, full_name, title, phone, email, "
                "address, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (user_name) DO UPDATE SET full_name = excluded.full_name, "
                "title = excluded.title, phone = excluded.phone, email = excluded.email, "
                "address = excluded.address, updated_at = excluded.updated_at",
                (name, *(getattr(profile, f) for f in FIELDS), now_utc()))
        return profile


def _checked(profile: Profile) -> Profile:
    values = {f: " ".join(getattr(profile, f).split()) for f in FIELDS}
    for field, value in values.items():
        if len(value) > MAX_FIELD:
            raise FieldError(field, N_("This is too long: at most {count} characters."),
                             count=MAX_FIELD)
    if values["email"] and "@" not in values["email"]:
        raise FieldError("email", N_("This is not an e-mail address."))
    return dataclasses.replace(profile, **values)
