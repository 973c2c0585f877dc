"""Who may look a party's addresses up (one place, for every route).

- Staff only; a party (or anyone without a staff session) never: 401 / 403.
- Of the case's court: staff of another court get "not found", as for a case that does not exist.
- The judge or clerk (审判员、书记员) of the case: where the filing named them, only those two;
  while it names neither, any judge or clerk of the court. Other roles: 403.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from addresses.errors import ForbiddenError, NotAuthenticatedError, NotFoundError
from addresses.tables import AddressCase, AddressLookup
from tingshen_platform.identity import Principal, StaffPrincipal

__all__ = ["LOOKERS", "ROLE_NAMES", "case_for", "lookup_for", "require_staff"]

LOOKERS = frozenset({"judge", "clerk"})
ROLE_NAMES = {
    "judge": "审判员",
    "clerk": "书记员",
    "recorder": "记录员",
    "filing_clerk": "立案庭工作人员",
    "court_admin": "法院管理员",
    "finance": "财务人员",
}


def require_staff(principal: Principal | None) -> StaffPrincipal:
    if principal is None:
        raise NotAuthenticatedError(
            "please log in as court staff", "请先以法院工作人员身份登录", reason="addr_login_needed"
        )
    if not isinstance(principal, StaffPrincipal):
        raise ForbiddenError("court staff only", "仅限法院工作人员使用", reason="addr_staff_only")
    if principal.role not in LOOKERS:
        role = ROLE_NAMES.get(principal.role, principal.role)
        raise ForbiddenError(
            f"your role ({principal.role}) may not look addresses up",
            f"您的岗位（{role}）不能查询当事人地址（需由承办审判员或书记员办理）",
            reason="addr_role",
        )
    return principal


def _not_found() -> NotFoundError:
    return NotFoundError("no such case", "没有这个案件", reason="addr_case_not_found")


def case_for(session: Session, staff: StaffPrincipal, case_id: int) -> AddressCase:
    case = session.get(AddressCase, case_id)
    if case is None or case.court_id != staff.court_id:
        raise _not_found()
    assigned = {case.judge_user_id, case.clerk_user_id} - {None}
    if assigned and staff.user_id not in assigned:
        raise ForbiddenError(
            "only the case's judge and clerk may look its parties' addresses up",
            "仅本案承办审判员、书记员可以查询当事人地址",
            reason="addr_not_assigned",
        )
    return case


def lookup_for(session: Session, staff: StaffPrincipal, lookup_id: int) -> AddressLookup:
    lookup = session.get(AddressLookup, lookup_id)
    if lookup is None:
        raise NotFoundError("no such look-up", "没有这次地址查询", reason="addr_lookup_not_found")
    try:
        case_for(session, staff, lookup.dossier_case_id)
    except NotFoundError:
        raise NotFoundError(
            "no such look-up", "没有这次地址查询", reason="addr_lookup_not_found"
        ) from None
    return lookup
