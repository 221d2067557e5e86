"""Staff passwords: argon2id hashes (argon2-cffi), and a CLI to make one.

    python -m services.responder.users hash            # asks for the password twice
    echo -n 'secret' | python -m services.responder.users hash --stdin

Put the printed hash in RESPONDER_USERS: {"anna": {"password_hash": "...", "role": "agent"}}.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from enum import StrEnum

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError


class StaffRole(StrEnum):
    """What a member of staff may do; each role can do what the ones before it can."""

    agent = "agent"
    manager = "manager"
    admin = "admin"

    @classmethod
    def _missing_(cls, value: object) -> StaffRole | None:
        # "owner" was the manager's former name: settings and records that say it still work.
        return cls.manager if value == "owner" else None

    def includes(self, other: StaffRole) -> bool:
        order = list(StaffRole)
        return order.index(self) >= order.index(other)


_HASHER = PasswordHasher()  # argon2id, RFC 9106 low-memory profile
#: Verified against for unknown users, so a wrong name costs as much as a wrong password.
_DUMMY = _HASHER.hash("otklik: no such user")


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _HASHER.verify(password_hash or _DUMMY, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m services.responder.users")
    sub = parser.add_subparsers(dest="command", required=True)
    make = sub.add_parser("hash", help="print an argon2id hash of a password")
    make.add_argument("--stdin", action="store_true", help="read the password from stdin")
    args = parser.parse_args(argv)
    if args.command == "hash":
        if args.stdin:
            password = sys.stdin.read().rstrip("\n")
        else:
            password = getpass.getpass("Password: ")
            if getpass.getpass("Again: ") != password:
                print("the passwords differ", file=sys.stderr)
                return 1
        if len(password) < 8:
            print("use at least 8 characters", file=sys.stderr)
            return 1
        print(hash_password(password))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
