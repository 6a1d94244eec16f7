"""Who may reach what: every plan route × {anonymous, owner, other client, linked therapist,
unlinked therapist, admin}, on one world per route. Roles that change things go last."""
from __future__ import annotations

import pytest

from support.forms import csrf_token
from support.plans import ACCESS_MATRIX, ROLES, email_of, fill


@pytest.mark.parametrize("endpoint,method,url,body,kind,expected", ACCESS_MATRIX,
                         ids=[f"{m} {u}" for _, m, u, *_ in ACCESS_MATRIX])
def test_route_answers_each_kind_of_person_as_expected(client, auth, world, endpoint, method, url, body,
                                                      kind, expected):
    got = {}
    for role in ROLES:
        auth.logout()
        email = email_of(world, role)
        if email:
            assert auth.login(email, "correct horse battery staple").status_code == 302
        token = csrf_token(client, "/auth/login")
        target = fill(url, world)
        if kind == "form":
            response = client.open(target, method=method, data={**body(world), "csrf_token": token})
        elif kind == "json":
            response = client.open(target, method=method, json=body(world), headers={"X-CSRFToken": token})
        else:
            response = client.open(target, method=method)
        got[role] = response.status_code
        if response.status_code in (401, 403, 404):
            text = response.get_data(as_text=True)
            assert "Kari" not in text and "I stop answering" not in text, (role, target)
    assert got == expected
