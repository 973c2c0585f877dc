"""Demo data: a court, a case, a hearing, a judge and a clerk, a plaintiff and a defendant.

Idempotent: running it again creates nothing twice. Staff passwords are generated and shown only
when the accounts are created; fresh invitation links are made on every run.

    python -m hearing_server.demo --data-dir .data
"""

from __future__ import annotations

import argparse
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from hearing_server.audit import Actor
from hearing_server.context import ServerContext
from hearing_server.events import CASE_CREATED, publish_case_created
from hearing_server.invitations import do_create_invitation, join_url
from hearing_server.models import (
    Case,
    Court,
    CourtRole,
    Hearing,
    HearingStatus,
    Participant,
    StaffRole,
    StaffUser,
)
from hearing_server.settings import Settings
from tingshen_platform.schema import events

COURT_NAME = "广州市越秀区人民法院"
CASE_NUMBER = "(2026)粤0104民初123号"
CAUSE = "民间借贷纠纷"
STAFF = (
    ("judge", "王立明", StaffRole.JUDGE),
    ("clerk", "陈晓", StaffRole.CLERK),
    ("filing", "刘芳", StaffRole.FILING_CLERK),
    ("admin", "赵敏", StaffRole.COURT_ADMIN),
    ("finance", "孙静", StaffRole.FINANCE),
)
PARTIES = (
    ("张伟", CourtRole.PLAINTIFF, "13800000001"),
    ("李娜", CourtRole.DEFENDANT, "13800000002"),
)


@dataclass
class DemoSeed:
    case_id: int
    hearing_id: int
    new_passwords: dict[str, str] = field(default_factory=dict)
    join_links: dict[str, str] = field(default_factory=dict)


def _get_or_create(session: Session, model: type[Court], **where: str) -> Court:
    row = session.scalars(select(model).filter_by(**where)).first()
    if row is None:
        row = model(**where)
        session.add(row)
        session.flush()
    return row


def _announce_case(session: Session, case: Case, *, at: datetime) -> None:
    """``case.created`` for the demo case (so the dossier lists it), once: also for a demo case
    seeded before the event existed, never twice."""
    announced = session.scalars(
        select(events.c.id).where(
            events.c.type == CASE_CREATED.name, events.c.stream == f"case:{case.id}"
        )
    ).first()
    if announced is None:
        publish_case_created(session, case, at=at)


def seed_demo(ctx: ServerContext) -> DemoSeed:
    now = ctx.clock()
    with ctx.session_factory() as session:
        court = _get_or_create(session, Court, name=COURT_NAME)
        passwords: dict[str, str] = {}
        for username, name, role in STAFF:
            if session.scalars(select(StaffUser).filter_by(username=username)).first() is None:
                passwords[username] = secrets.token_urlsafe(9)
                session.add(
                    StaffUser(
                        court_id=court.id,
                        username=username,
                        display_name=name,
                        role=role,
                        password_hash=ctx.passwords.hash(passwords[username]),
                        active=True,
                    )
                )
        case = session.scalars(select(Case).filter_by(case_number=CASE_NUMBER)).first()
        if case is None:
            case = Case(
                court_id=court.id, case_number=CASE_NUMBER, cause_of_action=CAUSE, created_at=now
            )
            session.add(case)
            session.flush()
        _announce_case(session, case, at=now)
        hearing = session.scalars(select(Hearing).filter_by(case_id=case.id)).first()
        if hearing is None:
            start = (now + timedelta(days=1)).replace(hour=1, minute=30, second=0, microsecond=0)
            hearing = Hearing(
                case_id=case.id,
                scheduled_at=start,
                duration_minutes=90,
                place="第三法庭（在线）",
                status=HearingStatus.SCHEDULED,
                version=1,
            )
            session.add(hearing)
            session.flush()
        for name, court_role, phone in PARTIES:
            exists = session.scalars(
                select(Participant).filter_by(hearing_id=hearing.id, court_role=court_role)
            ).first()
            if exists is None:
                session.add(
                    Participant(
                        hearing_id=hearing.id, display_name=name, court_role=court_role, phone=phone
                    )
                )
        session.commit()
        seed = DemoSeed(case_id=case.id, hearing_id=hearing.id, new_passwords=passwords)
        parties = session.scalars(
            select(Participant).where(
                Participant.hearing_id == hearing.id, Participant.phone.is_not(None)
            )
        ).all()
        for participant in parties:
            _, token = do_create_invitation(
                session, ctx, actor=Actor.system(), participant=participant
            )
            seed.join_links[participant.court_role.label_zh] = join_url(ctx, token)
        return seed


def main(argv: list[str] | None = None) -> None:
    from hearing_server.services import build_context

    parser = argparse.ArgumentParser(description="Create Tingshen demo data")
    parser.add_argument("--data-dir", type=Path, default=None)
    args = parser.parse_args(argv)
    settings = Settings() if args.data_dir is None else Settings(data_dir=args.data_dir)
    ctx = build_context(settings)
    try:
        seed = seed_demo(ctx)
    finally:
        ctx.engine.dispose()
    print_seed(settings, seed)


def print_seed(settings: Settings, seed: DemoSeed) -> None:
    """Login and join links for people trying the demo (passwords only when just created)."""
    base = settings.public_base_url.rstrip("/")
    print(f"{COURT_NAME} · {CASE_NUMBER} · {CAUSE}")
    print(f"staff login: {base}/login")
    for username, password in seed.new_passwords.items():
        print(f"  {username}: {password}  (shown once)")
    if not seed.new_passwords:
        print("  staff accounts already exist (passwords were shown when they were created)")
    for label, link in seed.join_links.items():
        print(f"  {label}: {link}")
    sms = settings.data_dir / "sms" / "messages.jsonl"
    print(f"one-time codes (local SMS provider) are written to {sms}")
    if "fees" in settings.side_services:
        print(
            f"litigation fees: {base}/fees/ (a case filed by 'filing' gets its fee notice by SMS "
            f"in that file; 'finance' approves refunds and reconciles)"
        )


if __name__ == "__main__":
    main()
