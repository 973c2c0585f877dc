"""The court's case list searched with 100,000 cases on PostgreSQL (issue 15: goal p95 < 200 ms).

    TINGSHEN_TEST_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test \\
      .venv/bin/python tests/bench/bench_case_search.py [--cases 100000] [--queries 200]

A fresh schema gets the dossier's tables (its migrations, so the trigram indexes of d0004 too),
then ``--cases`` cases of one court with two or three parties each (COPY), spread over seven
years, 40 causes and 20 judges, 85 % closed. Each kind of search then runs ``--queries`` times
with random values, as the list route does it (the page of 51 rows, then the parties' names of
the 50 shown): a fragment of the case number, a party's name, a cause (code or a part of its
name), a judge, a filing-date range, and a party's name with a judge and a status. Figures: p50
and p95 in ms per kind. The schema is dropped at the end.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from dossier.db import upgrade_dossier
from dossier.models import DossierParty
from dossier.paging import DatePage
from dossier.register.search import CaseFilter, search_cases

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
)
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰红梅建国志宏文斌晓东海波辉鹏飞云峰"
ORG_WORDS = ["贸易", "科技", "建设", "物流", "置业", "餐饮", "网络", "医药", "电子", "实业"]
CAUSES = [(f"{9 + i // 8}.{i % 8 + 1}", name) for i, name in enumerate(
    ["民间借贷纠纷", "金融借款合同纠纷", "买卖合同纠纷", "房屋租赁合同纠纷", "劳动争议",
     "机动车交通事故责任纠纷", "离婚纠纷", "物业服务合同纠纷", "建设工程施工合同纠纷",
     "信用卡纠纷", "服务合同纠纷", "装饰装修合同纠纷", "租赁合同纠纷", "承揽合同纠纷",
     "运输合同纠纷", "保险合同纠纷", "抚养纠纷", "赡养纠纷", "继承纠纷", "相邻关系纠纷",
     "侵权责任纠纷", "产品责任纠纷", "医疗损害责任纠纷", "名誉权纠纷", "股权转让纠纷",
     "追索劳动报酬纠纷", "提供劳务者受害责任纠纷", "房屋买卖合同纠纷", "债权转让合同纠纷",
     "追偿权纠纷", "保证合同纠纷", "不当得利纠纷", "合伙合同纠纷", "委托合同纠纷",
     "居间合同纠纷", "借用合同纠纷", "排除妨害纠纷", "返还原物纠纷", "婚约财产纠纷",
     "分家析产纠纷"])]  # fmt: skip
START = date(2020, 1, 1)
DAYS = 7 * 365


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def load(url: str, cases: int, rng: random.Random) -> list[str]:
    """The cases and parties, by COPY; the people's names used (for the searches)."""
    engine = create_engine(url)
    upgrade_dossier(engine)
    names: list[str] = []
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        case_cols = ("id, court_id, court_name, case_number, year, type_code, sequence, cause_code,"
                     " cause_name, procedure, claim_amount_fen, judge_user_id, judge_name, status,"
                     " source, filed_on, filed_at, closed_on, outcome")  # fmt: skip
        per_year: dict[int, int] = {}
        with cur.copy(f"COPY dossier_cases ({case_cols}) FROM STDIN") as copy:
            for i in range(1, cases + 1):
                filed = START + timedelta(days=rng.randrange(DAYS))
                seq = per_year[filed.year] = per_year.get(filed.year, 0) + 1
                code, cause = rng.choice(CAUSES)
                judge = rng.randrange(1, 21)
                closed = rng.random() < 0.85
                closed_on = filed + timedelta(days=rng.randrange(20, 200)) if closed else None
                copy.write_row((
                    i, 1, "广州市越秀区人民法院", f"({filed.year})粤0104民初{seq}号", filed.year,
                    "民初", seq, code, cause, rng.choice(("ordinary", "simplified", "small_claims")),
                    rng.randrange(100_00, 10_000_000_00), judge, f"法官{judge:02d}",
                    "closed" if closed else "open", "filed", filed,
                    datetime(filed.year, filed.month, filed.day, 2, tzinfo=UTC), closed_on,
                    "judgment" if closed else None,
                ))  # fmt: skip
        party_id = 0
        with cur.copy(
            "COPY dossier_parties (id, case_id, role, kind, name, id_number) FROM STDIN"
        ) as copy:
            for i in range(1, cases + 1):
                for role in ("plaintiff", "defendant", "defendant")[: rng.choice((2, 2, 3))]:
                    party_id += 1
                    if rng.random() < 0.25:
                        name = f"广州{_name(rng)}{rng.choice(ORG_WORDS)}有限公司"
                        copy.write_row((party_id, i, role, "organisation", name, None))
                    else:
                        name = _name(rng)
                        names.append(name)
                        copy.write_row(
                            (party_id, i, role, "person", name, "4401041990" + f"{i:08d}")
                        )
        cur.execute("SELECT setval('dossier_cases_id_seq', %s)", (cases,))
        cur.execute("SELECT setval('dossier_parties_id_seq', %s)", (party_id,))
        raw.commit()
        cur.execute("ANALYZE dossier_cases")
        cur.execute("ANALYZE dossier_parties")
        raw.commit()
    finally:
        raw.close()
        engine.dispose()
    return names


def run(url: str, queries: int, names: list[str], rng: random.Random) -> dict[str, list[float]]:
    engine = create_engine(url)
    page = DatePage(50, None, "/api/dossier/cases", ())

    def window() -> tuple[date, date]:
        first = START + timedelta(days=rng.randrange(DAYS - 90))
        return first, first + timedelta(days=90)

    kinds: dict[str, Callable[[], CaseFilter]] = {
        "case number fragment": lambda: CaseFilter(1, number=f"民初{rng.randrange(1, 15000)}"),
        "party name": lambda: CaseFilter(1, party=rng.choice(names)),
        "cause (code)": lambda: CaseFilter(1, cause=rng.choice(CAUSES)[0]),
        "cause (name part)": lambda: CaseFilter(1, cause=rng.choice(CAUSES)[1][:2]),
        "judge": lambda: CaseFilter(1, judge_id=rng.randrange(1, 21)),
        "filing dates (90 days)": lambda: CaseFilter(1, filed_from=(w := window())[0],
                                                     filed_to=w[1]),
        "party + judge + open": lambda: CaseFilter(1, party=rng.choice(names)[:2],
                                                   judge_id=rng.randrange(1, 21), status="open"),
    }  # fmt: skip
    timings: dict[str, list[float]] = {kind: [] for kind in kinds}
    with Session(engine) as session:
        for kind, make in kinds.items():
            for _ in range(queries):
                f = make()
                started = time.perf_counter()
                rows = search_cases(session, f, page)[:50]
                if rows:
                    list(session.execute(
                        select(DossierParty.case_id, DossierParty.name)
                        .where(DossierParty.case_id.in_([r.id for r in rows]))
                    ))  # fmt: skip
                timings[kind].append((time.perf_counter() - started) * 1000)
                session.expunge_all()
    engine.dispose()
    return timings


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200)
    args = parser.parse_args()
    base = os.environ.get("TINGSHEN_TEST_DATABASE_URL")
    if not base:
        sys.exit("set TINGSHEN_TEST_DATABASE_URL (PostgreSQL)")
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(base)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
    rng = random.Random(15)
    try:
        started = time.perf_counter()
        names = load(url.render_as_string(hide_password=False), args.cases, rng)
        print(f"loaded {args.cases:,} cases in {time.perf_counter() - started:.1f} s")
        timings = run(url.render_as_string(hide_password=False), args.queries, names, rng)
        print(f"{'search':<26} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
        for kind, values in timings.items():
            values.sort()
            p95 = values[int(len(values) * 0.95) - 1]
            print(f"{kind:<26} {statistics.median(values):8.1f} {p95:8.1f} {values[-1]:8.1f}")
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


if __name__ == "__main__":
    main()
