"""The op service: idempotent, ordered, and never silently losing someone's words."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from backend.accounts.services import find_user
from backend.db import session_scope
from backend.errors import ServiceError
from safety_plans import commitments, ops, plans
from safety_plans.models import PlanChange, PlanItem
from support.plans import add_op, new_id


@pytest.fixture
def people(app, make_user):
    """(session, plan, client, therapist): a client with an empty plan, and their therapist."""
    client_email = make_user("client", display_name="Ingrid")
    therapist_email = make_user("therapist", display_name="Dr Berg")
    with app.test_request_context(), session_scope(app) as db:
        client, therapist = find_user(db, client_email), find_user(db, therapist_email)
        yield db, plans.get_or_create_plan(db, client), client, therapist


def texts(db, plan, section):
    return [i.text for i in plans.items_by_section(db, plan)[section]]


def test_add_records_one_change_and_bumps_the_revision(people):
    db, plan, client, _ = people
    [result] = ops.apply_ops(db, plan, client, [add_op("warning_signs", "  I sleep badly  ")])
    assert result.status == "applied" and result.revision == 1 and plan.revision == 1
    assert texts(db, plan, "warning_signs") == ["I sleep badly"]
    change = db.scalar(select(PlanChange))
    assert (change.op, change.before, change.after["text"], change.author_id) == (
        "add",
        None,
        "I sleep badly",
        client.id,
    )


def test_a_retried_op_returns_its_first_result_and_changes_nothing(people):
    db, plan, client, _ = people
    op = add_op("reasons", "My dog")
    first = ops.apply_ops(db, plan, client, [op])[0]
    again = ops.apply_ops(db, plan, client, [op, op])
    assert [r.replayed for r in again] == [True, True]
    assert again[0].revision == first.revision and again[0].item == first.item
    assert plan.revision == 1 and texts(db, plan, "reasons") == ["My dog"]
    assert db.scalar(select(func.count(PlanChange.id))) == 1


def _saved_long_ago(db, item_uuid):
    """As if every field of the item had been saved an hour ago (the time is in `field_versions`)."""
    item = db.scalar(select(PlanItem).where(PlanItem.uuid == item_uuid))
    item.field_versions = {name: [*entry[:2], entry[2] - 3600] for name, entry in item.field_versions.items()}
    db.flush()


def test_edits_to_different_fields_do_not_conflict(people):
    db, plan, client, therapist = people
    op = add_op("support", "Kari", phone="+47 111 11 111")
    ops.apply_ops(db, plan, client, [op])
    _saved_long_ago(db, op["item"])  # the phone number is not one the client has just written
    a = {"uuid": new_id(), "type": "edit", "item": op["item"], "base_version": 1, "fields": {"text": "Sister Kari"}}
    b = {"uuid": new_id(), "type": "edit", "item": op["item"], "base_version": 1, "fields": {"phone": "+47 222 22 222"}}
    ra = ops.apply_ops(db, plan, client, [a])[0]
    rb = ops.apply_ops(db, plan, therapist, [b])[0]
    assert (ra.status, rb.status) == ("applied", "applied")
    item = db.scalar(select(PlanItem))
    assert (item.text, item.phone, item.version) == ("Sister Kari", "+47 222 22 222", 3)


def test_two_edits_of_one_field_from_one_base_keep_the_later_and_report_the_earlier(people):
    db, plan, client, therapist = people
    op = add_op("inner_coping", "Walk")
    ops.apply_ops(db, plan, client, [op])
    mine = {
        "uuid": new_id(),
        "type": "edit",
        "item": op["item"],
        "base_version": 1,
        "fields": {"text": "Walk by the sea"},
    }
    theirs = {
        "uuid": new_id(),
        "type": "edit",
        "item": op["item"],
        "base_version": 1,
        "fields": {"text": "Walk in the park"},
    }
    ops.apply_ops(db, plan, client, [mine])
    [result] = ops.apply_ops(db, plan, therapist, [theirs])
    assert result.status == "conflict"
    assert result.conflicts == [
        {"field": "text", "overwritten": "Walk by the sea", "author_id": client.id, "author_name": "Ingrid"}
    ]
    assert texts(db, plan, "inner_coping") == ["Walk in the park"]
    history = [c.after["text"] for c in db.scalars(select(PlanChange).order_by(PlanChange.revision))]
    assert history == ["Walk", "Walk by the sea", "Walk in the park"]  # the earlier words stay in history


def _edit(item_uuid, base, text):
    return {"uuid": new_id(), "type": "edit", "item": item_uuid, "base_version": base, "fields": {"text": text}}


def test_replacing_text_someone_else_has_just_saved_tells_whose_words_it_replaced(people):
    db, plan, client, therapist = people
    op = add_op("inner_coping", "Walk")
    ops.apply_ops(db, plan, client, [op])
    [saved] = ops.apply_ops(db, plan, therapist, [_edit(op["item"], 1, "Walk in the park")])
    # The client's page had the therapist's text (base 2): no race, but their words were just saved.
    [result] = ops.apply_ops(db, plan, client, [_edit(op["item"], 2, "Walk by the sea")])
    assert (saved.conflicts[0]["overwritten"], result.status) == ("Walk", "conflict")
    assert result.conflicts == [
        {"field": "text", "overwritten": "Walk in the park", "author_id": therapist.id, "author_name": "Dr Berg"}
    ]
    # One's own words, and words saved longer ago than the window, are ordinary edits.
    [again] = ops.apply_ops(db, plan, client, [_edit(op["item"], 3, "Walk by the sea at dawn")])
    _saved_long_ago(db, op["item"])
    [later] = ops.apply_ops(db, plan, therapist, [_edit(op["item"], 4, "Walk at dawn")])
    assert (again.status, again.conflicts, later.status, later.conflicts) == ("applied", [], "applied", [])


def test_an_agreed_tick_or_an_empty_field_just_set_is_not_words_replaced(people):
    db, plan, client, therapist = people
    op = add_op("support", "Kari", agreed=True, phone="")
    ops.apply_ops(db, plan, client, [op])
    edit = {"uuid": new_id(), "type": "edit", "item": op["item"], "base_version": 1,
            "fields": {"agreed": False, "phone": "+47 222 22 222"}}
    [result] = ops.apply_ops(db, plan, therapist, [edit])
    assert (result.status, result.conflicts) == ("applied", [])


def test_a_delete_of_an_item_edited_since_its_base_keeps_the_item(people):
    db, plan, client, therapist = people
    op = add_op("reasons", "My garden")
    ops.apply_ops(db, plan, client, [op])
    ops.apply_ops(
        db,
        plan,
        client,
        [{"uuid": new_id(), "type": "edit", "item": op["item"], "base_version": 1, "fields": {"text": "My roses"}}],
    )
    [result] = ops.apply_ops(
        db, plan, therapist, [{"uuid": new_id(), "type": "delete", "item": op["item"], "base_version": 1}]
    )
    assert result.status == "kept"
    assert texts(db, plan, "reasons") == ["My roses"] and plan.revision == 2


def test_delete_then_restore_brings_the_item_back_in_its_place(people):
    db, plan, client, _ = people
    batch = [add_op("distraction", t) for t in ("Library", "Café", "Pool")]
    ops.apply_ops(db, plan, client, batch)
    ops.apply_ops(db, plan, client, [{"uuid": new_id(), "type": "delete", "item": batch[1]["item"], "base_version": 1}])
    assert texts(db, plan, "distraction") == ["Library", "Pool"]
    ops.apply_ops(db, plan, client, [{"uuid": new_id(), "type": "restore", "item": batch[1]["item"]}])
    assert texts(db, plan, "distraction") == ["Library", "Café", "Pool"]


def test_move_reorders_within_the_section(people):
    db, plan, client, _ = people
    batch = [add_op("warning_signs", t) for t in ("a", "b", "c")]
    ops.apply_ops(db, plan, client, batch)
    ops.apply_ops(db, plan, client, [{"uuid": new_id(), "type": "move", "item": batch[2]["item"], "position": 0}])
    assert texts(db, plan, "warning_signs") == ["c", "a", "b"]


@pytest.mark.parametrize(
    "bad,code",
    [
        ({"type": "add", "section": "nope", "fields": {"text": "x"}}, "unknown_section"),
        ({"type": "add", "section": "reasons", "fields": {"text": "x" * 501}}, "too_long"),
        ({"type": "add", "section": "reasons", "fields": {"text": 5}}, "bad_type"),
        ({"type": "add", "section": "reasons", "fields": {"text": "x", "agreed": "yes"}}, "bad_type"),
        ({"type": "add", "section": "reasons", "fields": {"text": "x", "colour": "red"}}, "unknown_field"),
        ({"type": "add", "section": "support", "fields": {"text": "x", "phone": "call me"}}, "bad_phone"),
        ({"type": "explode", "section": "reasons"}, "bad_type"),
        ({"type": "edit", "fields": {"text": "x"}}, "bad_version"),
        ({"type": "move", "position": -1}, "bad_position"),
    ],
)
def test_a_bad_op_anywhere_in_a_batch_changes_nothing(people, bad, code):
    db, plan, client, _ = people
    good = add_op("reasons", "kept out")
    with pytest.raises(ServiceError) as caught:
        ops.apply_ops(db, plan, client, [good, {"uuid": new_id(), "item": new_id(), **bad}])
    assert caught.value.code == code and caught.value.index == 1 and 400 <= caught.value.status < 500
    assert plan.revision == 0 and db.scalar(select(func.count(PlanItem.id))) == 0


def test_an_edit_from_a_version_the_server_never_had_is_refused(people):
    db, plan, client, _ = people
    op = add_op("reasons", "x")
    ops.apply_ops(db, plan, client, [op])
    with pytest.raises(ServiceError) as caught:
        ops.apply_ops(
            db,
            plan,
            client,
            [{"uuid": new_id(), "type": "edit", "item": op["item"], "base_version": 9, "fields": {"text": "y"}}],
        )
    assert caught.value.status == 409


def test_commitments_are_recorded_in_the_history(people):
    db, plan, client, therapist = people
    c = commitments.add_commitment(db, plan, therapist, "Call Kari", due="2026-12-01")
    commitments.review_commitment(db, plan, client, c.id, "partly", "Texted instead")
    batch = [ch.op for ch in db.scalars(select(PlanChange).order_by(PlanChange.revision))]
    assert batch == ["commitment_add", "commitment_review"] and plan.revision == 2
    assert (c.status, c.note) == ("partly", "Texted instead")


# Property: several editors, random batch, retries and re-sent batches: nothing acknowledged is lost
# or duplicated, and revisions count exactly the accepted changes.
_texts = st.text(alphabet="abcdefgh ", min_size=1, max_size=12).filter(str.strip)


def _live_reasons(db, plan) -> int:
    return db.scalar(select(func.count(PlanItem.id)).where(
        PlanItem.plan_id == plan.id, PlanItem.section == "reasons", PlanItem.deleted.is_(False)))


@settings(
    max_examples=20,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    script=st.lists(
        st.tuples(
            st.integers(0, 1),
            st.sampled_from(["add", "edit", "delete", "restore", "move", "retry"]),
            st.integers(0, 5),
            _texts,
        ),
        min_size=1,
        max_size=25,
    )
)
def test_random_interleavings_lose_nothing_and_duplicate_nothing(people, script):
    db, plan, client, therapist = people
    start = plan.revision
    editors = [client, therapist]
    sent: list[tuple] = []  # (editor, op)
    added: list[str] = []
    accepted = 0
    for who, kind, n, text in script:
        author = editors[who]
        if kind == "retry" and sent:
            author, op = sent[n % len(sent)]
        elif kind == "add" or not added:
            op = add_op("reasons", text)
        else:
            item_uuid = added[n % len(added)]
            item = db.scalar(select(PlanItem).where(PlanItem.uuid == item_uuid))
            op = {
                "uuid": new_id(),
                "type": kind if kind != "retry" else "restore",
                "item": item_uuid,
                "base_version": max(1, item.version - (n % 2)),
            }
            if kind == "edit":
                op["fields"] = {"text": text}
            if kind == "move":
                op["position"] = n
        fills = op["type"] == "add" and op not in [o for _, o in sent]
        if fills and _live_reasons(db, plan) >= ops.MAX_ITEMS_PER_SECTION:
            # The examples share one plan, so a long run fills the section: the add is refused
            # whole, and nothing of it counts.
            with pytest.raises(ServiceError) as refused:
                ops.apply_ops(db, plan, author, [op])
            assert refused.value.code == "section_full"
            continue
        [result] = ops.apply_ops(db, plan, author, [op])
        if not result.replayed:
            sent.append((author, op))
            if result.status != "kept":
                accepted += 1
            if op["type"] == "add":
                added.append(op["item"])
    assert plan.revision - start == accepted
    changes = list(db.scalars(select(PlanChange).where(PlanChange.plan_id == plan.id, PlanChange.revision > start)))
    assert len({c.op_uuid for c in changes}) == len(changes) == accepted
    items = list(db.scalars(select(PlanItem).where(PlanItem.uuid.in_(added))))
    assert sorted(i.uuid for i in items) == sorted(added)  # every acknowledged add exists, once
    for item in items:  # each item's final text is the last accepted edit (or its add)
        last = db.scalar(
            select(PlanChange).where(PlanChange.item_uuid == item.uuid).order_by(PlanChange.revision.desc()).limit(1)
        )
        assert last.after["text"] == item.text
