"""The merge service under random interleavings (hypothesis): three editors, duplicated retries and
late batches based on old versions. Nothing acknowledged is lost (it is in the plan or in the
history), no item is duplicated, and the same accepted order always gives the same plan."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from backend.accounts import care
from backend.accounts.models import User
from backend.accounts.services import find_user
from backend.db import session_scope
from safety_plans import ops, plans
from safety_plans.models import Plan, PlanChange, PlanItem
from support.plans import new_id

_words = st.text(alphabet="abcdefghij ", min_size=1, max_size=12).map(str.strip).filter(bool)
# One step: (editor 0-2, what, which item / how stale, text, batch size)
_step = st.tuples(
    st.integers(0, 2),
    st.sampled_from(["add", "edit", "edit", "delete", "restore", "move", "retry", "late"]),
    st.integers(0, 7),
    _words,
    st.integers(1, 3),
)


@pytest.fixture
def editors(app, make_user):
    """A client, her therapist and a second therapist, all allowed to edit one plan."""
    emails = [
        make_user("client", display_name="Ingrid"),
        make_user("therapist", display_name="Dr Berg"),
        make_user("therapist", display_name="Dr Lund"),
    ]
    with app.test_request_context(), session_scope(app) as db:
        people = [find_user(db, e) for e in emails]
        for therapist in people[1:]:
            care.link(db, therapist.id, people[0].id)
        plans.get_or_create_plan(db, people[0])
        ids = [p.id for p in people]
    return app, ids


def _plan_state(db, plan) -> list[tuple]:
    return [
        (i.uuid, i.section, i.text, i.position, i.deleted)
        for i in db.scalars(select(PlanItem).where(PlanItem.plan_id == plan.id).order_by(PlanItem.uuid))
    ]


def _replay(db, plan, authors, accepted: list[tuple[int, dict]]) -> None:
    for who, op in accepted:
        ops.apply_ops(db, plan, authors[who], [op])


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(script=st.lists(_step, min_size=1, max_size=30))
def test_interleavings_lose_nothing_duplicate_nothing_and_are_deterministic(editors, script):
    app, ids = editors
    with app.test_request_context(), session_scope(app) as db:
        authors = [db.get(User, i) for i in ids]
        plan = plans.get_or_create_plan(db, authors[0])
        start = plan.revision
        sent: list[tuple[int, dict]] = []  # every op sent once (for retries)
        accepted: list[tuple[int, dict]] = []  # ops the server accepted, in its order
        acknowledged_texts: set[str] = set()
        items: list[str] = []
        stale: dict[str, int] = {}  # item -> a version someone saw long ago (for late batches)
        for who, kind, n, text, size in script:
            batch = []
            for k in range(size):
                if kind == "retry" and sent:
                    batch.append(sent[(n + k) % len(sent)])
                    continue
                if kind == "add" or not items:
                    op = {
                        "uuid": new_id(),
                        "type": "add",
                        "item": new_id(),
                        "section": "reasons",
                        "fields": {"text": f"{text} {k}"},
                    }
                else:
                    item_uuid = items[(n + k) % len(items)]
                    item = db.scalar(select(PlanItem).where(PlanItem.uuid == item_uuid))
                    base = stale.get(item_uuid, 1) if kind == "late" else item.version
                    op_type = "edit" if kind in ("late", "retry") else kind
                    op = {"uuid": new_id(), "type": op_type, "item": item_uuid, "base_version": base}
                    if op_type == "edit":
                        op["fields"] = {"text": f"{text} {k}"}
                    if op_type == "move":
                        op["position"] = n
                    if op_type == "restore":
                        op.pop("base_version")
                batch.append((who, op))
            # A batch is one author's; a retried op goes back with its first author.
            for author, op in batch:
                [result] = ops.apply_ops(db, plan, authors[author], [op])
                if result.replayed:
                    assert any(o["uuid"] == op["uuid"] for _, o in sent)
                    continue
                sent.append((author, op))
                if result.status != "kept":
                    accepted.append((author, op))
                    if op["type"] in ("add", "edit"):
                        acknowledged_texts.add(op["fields"]["text"])
                if op["type"] == "add":
                    items.append(op["item"])
                    stale[op["item"]] = 1
        # Nothing acknowledged is lost: every acknowledged text is in the plan or in the history.
        in_plan = {i.text for i in db.scalars(select(PlanItem).where(PlanItem.plan_id == plan.id))}
        history = db.scalars(select(PlanChange).where(PlanChange.plan_id == plan.id)).all()
        in_history = {(c.after or {}).get("text") for c in history} | {(c.before or {}).get("text") for c in history}
        assert acknowledged_texts <= in_plan | in_history
        # No duplicates: one item per add, one change per accepted op.
        uuids = [i.uuid for i in db.scalars(select(PlanItem).where(PlanItem.plan_id == plan.id))]
        assert sorted(uuids) == sorted(set(items)) and len(uuids) == len(items)
        assert plan.revision - start == len(accepted) == len({c.op_uuid for c in history if c.revision > start})
        state = _plan_state(db, plan)

        # The same accepted order, replayed on a fresh plan (fresh uuids), gives the same plan.
        renamed = {}
        replay = []
        for author, op in accepted:
            op = dict(op, uuid=new_id())
            renamed.setdefault(op["item"], new_id())
            op["item"] = renamed[op["item"]]
            replay.append((author, op))
        db.rollback()  # each example starts from the empty plan
    with app.test_request_context(), session_scope(app) as db:
        authors = [db.get(User, i) for i in ids]
        twin = Plan(owner_id=authors[0].id, country="NO", revision=0)
        db.execute(PlanItem.__table__.delete())
        db.execute(PlanChange.__table__.delete())
        db.execute(Plan.__table__.delete())
        db.add(twin)
        db.flush()
        _replay(db, twin, authors, replay)
        back = {v: k for k, v in renamed.items()}
        twin_state = sorted((back[u], s, t, p, d) for u, s, t, p, d in _plan_state(db, twin))
        assert twin_state == sorted(state)
        db.rollback()
