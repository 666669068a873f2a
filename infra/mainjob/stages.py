"""The round's stages, in the order the county's people work them; each leaves what it found
in ``desk.facts`` for the report."""

from __future__ import annotations

from contracts.topics import topic_of
from infra.clock import CHINA
from infra.mainjob.answers import Refusal
from infra.mainjob.approval import approve_all
from infra.mainjob.bank import BankLink, add_bank_keys, check_running, simulated_banks
from infra.mainjob.closing import count_sms, disclosure, reconcile
from infra.mainjob.county import enter_catalogue, import_lists
from infra.mainjob.delivery import until_consumed
from infra.mainjob.desk import Desk
from infra.mainjob.notice import run_notice
from infra.mainjob.payment import pay, until_instructed
from infra.mainjob.register import enter_register
from infra.mainjob.rosters import Roster, prepare_rosters
from infra.mainjob.statement import bank_books
from infra.mainjob.workers import RoundFailed
from services.registry.application.register_projection import REGISTER_EVENTS

DELIVERY_WAIT = 600.0


class CalendarUnknown(RoundFailed):
    """The shared clock stands in a year whose working days nobody entered."""


async def run_all(desk: Desk) -> None:
    """The whole round; a stage that cannot go on raises (``RoundFailed`` and its kinds)."""
    await _calendar_known(desk)
    with desk.stage("catalogue: townships, villages, programmes, cross-check lists"):
        await _catalogue(desk)
    with desk.stage("register: people and card accounts, entered by each township's clerk"):
        await _register(desk)
    with desk.stage("rosters: import, validation, rejected rows removed, submission"):
        rosters = await prepare_rosters(desk)
        desk.facts["rosters"] = [roster.facts() for roster in rosters]
    with desk.stage("public notice: objection, clock moved past the end, completion"):
        desk.facts["notice"] = await run_notice(desk, rosters)
    with desk.stage("approval: three levels, three people, per roster"):
        desk.facts["approvals"] = await approve_all(desk, rosters)
        desk.screen.say(f"  {len(rosters)} rosters approved, each by three different people")
    with desk.stage("payment: agent banks (simulated), corrections and re-issues"):
        links = await _payment(desk, rosters)
    with desk.stage("SMS, disclosure and reconciliation"):
        await _closing(desk, rosters, links)


async def _catalogue(desk: Desk) -> None:
    staff, county = desk.staff, desk.county
    await enter_catalogue(county, desk.as_(staff.operator))
    settings = desk.system.settings
    lists = await import_lists(settings, county, staff.operator, now=desk.clock.now())
    desk.screen.say("  lists: " + ", ".join(f"{kind} {n}" for kind, n in lists.items()))


async def _register(desk: Desk) -> None:
    """Everyone registered, then nothing imported before the registry's read model has it."""
    clerks = {t: desk.as_(m) for t, m in desk.staff.clerks.items()}
    register = await enter_register(desk.county.files, clerks, desk.screen, run=desk.run)
    desk.people = register.people
    desk.facts["register"] = {"people": len(register.people), **register.outcomes}
    for outcome, n in sorted(register.outcomes.items()):
        desk.screen.say(f"  {outcome:<32} {n}")
    topics = tuple(dict.fromkeys(topic_of(e.event_type).name for e in REGISTER_EVENTS))
    relayed, consumed = await until_consumed(
        desk.system.settings, service="registry", topics=topics, timeout=DELIVERY_WAIT
    )
    desk.screen.say(
        f"  relayed to Kafka after {relayed:.1f} s; the registry's register read model "
        f"had taken in every change after {consumed:.1f} s"
    )


async def _payment(desk: Desk, rosters: list[Roster]) -> list[BankLink]:
    """The county's banks set up and simulated while the rounds are paid and corrected."""
    settings = desk.system.settings
    banks = sorted({person.bank_code for person in desk.people.values()})
    links = add_bank_keys(settings, desk.county.code, banks)
    instructed = await until_instructed(desk, rosters)
    rows = sum(shown["ledger"]["approved_rows"] for shown in instructed.values())
    desk.screen.say(f"  {rows} rows instructed to banks {', '.join(banks)}")
    async with simulated_banks(
        links, payout_url=desk.system.url("payout"), seed=desk.facts["seed"],
        log_dir=settings.data_dir / "logs",
    ) as simulators:  # fmt: skip
        desk.facts["payment"] = await pay(desk, rosters, lambda: check_running(simulators))
    desk.facts["banks"] = {link.bank_code: bank_books(link.ledger) for link in links}
    for bank, books in desk.facts["banks"].items():
        desk.screen.say(f"  bank {bank}: " + ", ".join(f"{k} {n}" for k, n in books.items()))
    return links


async def _closing(desk: Desk, rosters: list[Roster], links: list[BankLink]) -> None:
    rounds = desk.facts["payment"]["rounds"].values()
    paid = desk.facts["paid"] = sum(shown["ledger"]["succeeded_rows"] for shown in rounds)
    desk.facts["sms"] = await count_sms(desk, rosters, paid)
    desk.screen.say(f"  SMS: {dict(desk.facts['sms'])} for {paid} payments")
    desk.facts["disclosure"] = await disclosure(desk, paid)
    desk.facts["reconciliation"] = await reconcile(desk, links)
    for done in desk.facts["reconciliation"]:
        balanced = "balanced" if done["balanced"] else "NOT balanced"
        desk.screen.say(f"  bank {done['bank_code']} {done['period']}: {balanced}")


async def _calendar_known(desk: Desk) -> None:
    """Refuse to start a round whose notice could not be counted (nothing is stored yet)."""
    year = desk.clock.now().astimezone(CHINA).year
    answer = await desk.http.get(f"{desk.system.url('publicity')}/calendar/{year}")
    if answer.status_code != 200:
        raise Refusal(answer)
    if answer.json()["source"] == "unknown":
        raise CalendarUnknown(
            f"共享时钟已到 {year} 年，而该年的法定节假日安排尚未录入：请系统管理员先录入 "
            f"(POST /calendar/{year})，或在新的数据目录中运行（删除 var/）"
        )
