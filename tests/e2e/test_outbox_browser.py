"""The device's outbox (pwa/static/outbox-core.js) in real Chromium, as on a phone whose browser has
no Background Sync (Safari, Firefox): nothing but the page itself sends what waits.

A write made while an earlier one is still on its way must go as soon as that one is answered,
not wait for some later event (a live message, the app coming back to the front) to send it.
"""
from __future__ import annotations

from sqlalchemy import select

from backend.db import session_scope
from safety_plans.models import PlanItem
from support.coedit import PHONE, open_editor, session_world

# The first write's request is slowed down, so the second is made while the first is sent.
TWO_WRITES = """async () => {
  const box = self.TryggOutbox;
  const url = `/api/v1/plans/${document.querySelector('[data-plan]').dataset.plan}/changes`;
  const realFetch = window.fetch;
  let slowed = false;
  window.fetch = (resource, options) => {
    if (!slowed && options && options.method === 'POST') {
      slowed = true;
      return new Promise((resolve) => setTimeout(resolve, 400)).then(() => realFetch(resource, options));
    }
    return realFetch(resource, options);
  };
  const write = (text) => box.send({ url, method: 'POST', kind: 'plan-ops', body: { ops: [
    { type: 'add', uuid: crypto.randomUUID(), item: crypto.randomUUID(), section: 'reasons', fields: { text } },
  ] } });
  const first = write('My dog');
  await new Promise((resolve) => setTimeout(resolve, 100));
  const second = write('The sea in May');
  const outcomes = await Promise.all([first, second]);
  window.fetch = realFetch;
  return outcomes.map((outcome) => outcome.type);
}"""


def test_a_write_made_while_another_is_sent_goes_right_after_it(live_server, new_page):
    client_email, _, plan_id, _ = session_world(live_server.app, [])
    page = open_editor(new_page(service_workers="block", **PHONE), live_server.url, client_email, plan_id)
    assert page.evaluate("navigator.serviceWorker ? navigator.serviceWorker.controller : null") is None

    assert page.evaluate(TWO_WRITES) == ["sent", "sent"]
    assert page.evaluate("self.TryggOutbox.all()") == []
    with session_scope(live_server.app) as db:
        texts = db.scalars(select(PlanItem.text).where(PlanItem.plan_id == plan_id).order_by(PlanItem.id)).all()
    assert texts == ["My dog", "The sea in May"]
