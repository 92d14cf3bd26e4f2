"""Load the demo register (copenhagen-2016.yaml) into an empty database, once."""

import hashlib
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from importlib import resources
from typing import Any
from zoneinfo import ZoneInfo

import yaml
from sqlalchemy import func
from sqlmodel import Session, select

from service.persistence.db import DEMO_CLOCK, demo_seeded, write_state
from service.persistence.tables import (
    ActivityArea,
    Board,
    BoardKind,
    BudgetLine,
    Designation,
    DesignationKind,
    District,
    Funder,
    Grant,
    GrantFunding,
    HousingDepartment,
    Meeting,
    Membership,
    Organisation,
    OrganisationKind,
    Plan,
    PlanAssignment,
    PlanParty,
    Seat,
    StrategicAgreement,
    SystemRole,
    User,
)
from service.security import DEMO_PASSWORD, hash_password

DEMO_FILE = "copenhagen-2016.yaml"
SEATS_FROM = date(2016, 1, 1)
MEETING_TIME = time(14, 0)
# The demo's "today" when it is seeded: after the example histories of 2016, before the 2017 meetings' cut-offs.
DEMO_TODAY = datetime(2016, 12, 12, 9, 0, tzinfo=ZoneInfo("Europe/Copenhagen"))
FUNDER_KEYS = {"LBF": Funder.LBF, "KK": Funder.KK, "HOUSING": Funder.HOUSING}


class SeedRefused(Exception):
    """The database holds data that is not the demo register."""


@dataclass
class SeedResult:
    created: bool
    message: str


def demo_source() -> bytes:
    return resources.files("service.demo").joinpath(DEMO_FILE).read_bytes()


def seed_demo(session: Session, *, timezone: str = "Europe/Copenhagen") -> SeedResult:
    """Load the demo register unless it is there already; refuse a database with other data."""
    if demo_seeded(session):
        return SeedResult(False, "The demo register is already loaded; nothing changed.")
    existing = {
        "organisations": session.exec(select(func.count()).select_from(Organisation)).one(),
        "plans": session.exec(select(func.count()).select_from(Plan)).one(),
        "users": session.exec(select(func.count()).select_from(User)).one(),
    }
    if any(existing.values()):
        held = ", ".join(f"{count} {name}" for name, count in existing.items() if count)
        raise SeedRefused(
            f"refusing to load the demo register: this database already holds other data ({held}). "
            "Point BOLIGSOCIAL_DATABASE_URL at an empty database to run the demo."
        )
    source = demo_source()
    _Loader(session, yaml.safe_load(source), ZoneInfo(timezone)).load()
    write_state(session, "demo_register", hashlib.sha256(source).hexdigest())
    offset = DEMO_TODAY - datetime.now(UTC)  # the demo's world runs on from its "today" in real time
    write_state(session, DEMO_CLOCK, str(int(offset.total_seconds())))
    session.commit()
    plans = session.exec(select(func.count()).select_from(Plan)).one()
    users = session.exec(select(func.count()).select_from(User)).one()
    return SeedResult(True, f"Loaded the demo register: {plans} plans, {users} users (password '{DEMO_PASSWORD}').")


def split(total: int, weights: list[float]) -> list[int]:
    """Split a whole amount by weights so that the parts add up to the total exactly (largest remainder)."""
    scale = sum(weights)
    exact = [total * w / scale for w in weights]
    parts = [int(x) for x in exact]
    order = sorted(range(len(exact)), key=lambda i: exact[i] - parts[i], reverse=True)
    for i in order[: total - sum(parts)]:
        parts[i] += 1
    return parts


def months_per_year(start: date, end: date) -> dict[int, int]:
    """How many months of the period fall in each calendar year."""
    months: dict[int, int] = {}
    year, month = start.year, start.month
    while (year, month) <= (end.year, end.month):
        months[year] = months.get(year, 0) + 1
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


class _Loader:
    def __init__(self, session: Session, data: dict[str, Any], tz: ZoneInfo) -> None:
        self.session, self.data, self.tz = session, data, tz
        self.ids: dict[tuple[str, str], int] = {}

    def add(self, kind: str, code: str, row: Any) -> int:
        self.session.add(row)
        self.session.flush()
        self.ids[(kind, code)] = row.id
        return int(row.id)

    def org(self, code: str | None) -> int | None:
        return self.ids[("org", code)] if code else None

    def load(self) -> None:
        self.register_organisations()
        for area in self.data["activity_areas"]:
            self.add("area", area["code"], ActivityArea(**area))
        for d in self.data["districts"]:
            self.add("district", d["id"], District(code=d["id"], name=d["name"]))
        for plan in self.data["plans"]:
            self.load_plan(plan)
        for board in self.data["boards"]:
            self.add(
                "board",
                board["id"],
                Board(
                    code=board["id"],
                    kind=BoardKind(board["kind"]),
                    name=board["name"],
                    district_id=self.ids.get(("district", board.get("district", ""))),
                    plan_id=self.ids.get(("plan", board.get("plan", ""))),
                ),
            )
        for person in self.data["people"]:
            self.load_person(person)
        for calendar in self.data["meetings"]:
            for day in calendar["dates"]:
                starts_at = datetime.combine(day, MEETING_TIME, tzinfo=self.tz)
                self.session.add(Meeting(board_id=self.ids[("board", calendar["board"])], starts_at=starts_at))

    def register_organisations(self) -> None:
        data = self.data
        self.add(
            "org",
            "LBF",
            Organisation(code="LBF", name="Landsbyggefonden", kind=OrganisationKind.fund, is_real=True),
        )
        kk = self.add(
            "org",
            "KK",
            Organisation(
                code="KK",
                name="Københavns Kommune",
                name_en="City of Copenhagen",
                kind=OrganisationKind.municipality,
                is_real=True,
            ),
        )
        for a in data["administrations"]:
            self.add(
                "org",
                a["id"],
                Organisation(
                    code=a["id"],
                    name=a["name_da"],
                    name_en=a["name_en"],
                    kind=OrganisationKind.administration,
                    parent_id=kk,
                    is_real=a.get("real", False),
                ),
            )
        for a in data["administrators"]:
            self.add(
                "org",
                a["id"],
                Organisation(
                    code=a["id"],
                    name=a["name"],
                    kind=OrganisationKind.administrator,
                    in_saf=a.get("in_saf", True),
                    is_real=a.get("real", False),
                ),
            )
        for h in data["housing_organisations"]:
            self.add(
                "org",
                h["id"],
                Organisation(
                    code=h["id"],
                    name=h["name"],
                    kind=OrganisationKind.housing_organisation,
                    administrator_id=self.org(h["administrator"]),
                    in_saf=h["in_saf"],
                    is_real=h.get("real", False),
                ),
            )
        s = data["secretariat"]
        self.add(
            "org",
            s["id"],
            Organisation(
                code=s["id"],
                name=s["name"],
                kind=OrganisationKind.secretariat,
                parent_id=self.org(s["hosted_by"]),
            ),
        )

    def load_plan(self, p: dict[str, Any]) -> None:
        start, end = p["period"]
        plan_id = self.add(
            "plan",
            p["id"],
            Plan(
                code=p["id"],
                name=p["name"],
                district_id=self.ids[("district", p["district"])],
                period_start=start,
                period_end=end,
                lead_organisation_id=self.ids[("org", p["lead"])],
                is_real=p.get("real", False),
            ),
        )
        for party in p["parties"]:
            self.session.add(PlanParty(plan_id=plan_id, organisation_id=self.ids[("org", party)]))
        for name in p["departments"]:
            self.session.add(
                HousingDepartment(name=name, plan_id=plan_id, organisation_id=self.department_owner(name, p["parties"]))
            )
        total = int(p["budget_total"])
        funders = list(self.data["funding_split"].items())
        grant_id = self.add("grant", p["id"], Grant(plan_id=plan_id, reference=f"LBF-{p['id']}-{start.year}"))
        for (funder, _), amount in zip(funders, split(total, [w for _, w in funders]), strict=True):
            self.session.add(GrantFunding(grant_id=grant_id, funder=FUNDER_KEYS[funder], amount_dkk=amount))
        self.load_budget(plan_id, p, start, end, funders)
        self.session.add(
            StrategicAgreement(
                plan_id=plan_id,
                version=1,
                in_force_from=start,
                summary=f"Strategisk samarbejdsaftale for {p['name']}",
            )
        )

    def load_budget(self, plan_id: int, p: dict[str, Any], start: date, end: date, funders: list[Any]) -> None:
        """Budget lines per activity area × year × funder, adding up to the plan's total exactly."""
        areas = [a["code"] for a in self.data["activity_areas"]]
        by_area = p.get("budget") or dict(zip(areas, split(int(p["budget_total"]), [1.0] * len(areas)), strict=True))
        months = months_per_year(start, end)
        for area, area_total in by_area.items():
            for (year, _), year_total in zip(
                months.items(), split(area_total, list(map(float, months.values()))), strict=True
            ):
                for (funder, _), amount in zip(funders, split(year_total, [w for _, w in funders]), strict=True):
                    self.session.add(
                        BudgetLine(
                            plan_id=plan_id,
                            activity_area_id=self.ids[("area", area)],
                            year=year,
                            funder=FUNDER_KEYS[funder],
                            amount_dkk=amount,
                        )
                    )

    def department_owner(self, name: str, parties: list[str]) -> int | None:
        """The party that owns a department: named first in its title, or the plan's only party."""
        first = name.split()[0].lower()
        for code in parties:
            org = self.session.get(Organisation, self.ids[("org", code)])
            if org and first in {code.lower(), org.name.lower()}:
                return org.id
        return self.org(parties[0]) if len(parties) == 1 else None

    def load_person(self, p: dict[str, Any]) -> None:
        role = p.get("role")
        user_id = self.add(
            "user",
            p["username"],
            User(
                username=p["username"],
                full_name=p["name"],
                email=f"{p['username']}@example.org",
                organisation_id=self.org(p.get("works_for")),
                system_role=SystemRole(role) if role in {"admin", "analyst"} else None,
                password_hash=self.demo_hash,
                is_demo=True,
            ),
        )
        represents = p.get("represents") or [p.get("works_for")]
        for seat in p.get("boards", []):
            for org in represents:
                self.session.add(
                    Membership(
                        user_id=user_id,
                        board_id=self.ids[("board", seat["board"])],
                        organisation_id=self.org(org),
                        seat=Seat(seat["seat"]),
                        valid_from=SEATS_FROM,
                    )
                )
        if role == "housing_officer":  # named by the organisation to act for it (domain.md §3.1)
            self.session.add(
                Designation(
                    user_id=user_id,
                    organisation_id=self.ids[("org", p["works_for"])],
                    kind=DesignationKind.officer,
                    valid_from=SEATS_FROM,
                )
            )
        for plan in p.get("project_leader_of", []):
            self.session.add(PlanAssignment(plan_id=self.ids[("plan", plan)], user_id=user_id, valid_from=SEATS_FROM))

    @property
    def demo_hash(self) -> str:
        # One Argon2 hash shared by every demo account: hashing 60 times would cost ~10 s per seed.
        if not hasattr(self, "_demo_hash"):
            self._demo_hash = hash_password(DEMO_PASSWORD)
        return self._demo_hash
