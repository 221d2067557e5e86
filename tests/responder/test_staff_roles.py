"""Staff roles: ordered, and the manager's former name ("owner") still read from settings."""

from __future__ import annotations

from pydantic import SecretStr

from services.responder.auth import Principal
from services.responder.config import StaffAccount
from services.responder.users import StaffRole, hash_password


def test_roles_are_ordered() -> None:
    manager = Principal(name="m", role=StaffRole.manager)
    assert manager.can(StaffRole.agent) and manager.can(StaffRole.manager)
    assert not manager.can(StaffRole.admin)
    assert Principal(name="a", role=StaffRole.admin).can(StaffRole.manager)


def test_former_owner_role_reads_as_manager() -> None:
    account = StaffAccount.model_validate(
        {"password_hash": SecretStr(hash_password("x" * 10)), "role": "owner"}
    )
    assert account.role is StaffRole.manager
    assert StaffRole("owner") is StaffRole.manager
