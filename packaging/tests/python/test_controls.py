"""The Python API against packaging/controls.json: a callable for every control's `python` name,
and each one reaches its route (checked by its effect: /__mock/ calls are not journaled)."""
import base64
import json
import os

import pytest
import requests

import cocart_mock as cm

CONTROLS = json.load(open(os.environ["COCART_CONTROLS_JSON"]))["controls"]
CART = "/wp-json/cocart/v2/cart"


def login(mock, user, pw):
    auth = base64.b64encode(f"{user}:{pw}".encode()).decode()
    return requests.post(f"{mock.url}/wp-json/cocart/v2/login",
                         headers={"Authorization": f"Basic {auth}"}).status_code


def get_cart(mock):
    return requests.get(mock.url + CART).status_code


def names(mock):
    return [u["username"] for u in mock.users()]


def add_kim(mock):
    return mock.add_user("kim", "kim@example.com", "kim-pw")


def reset(m):
    add_kim(m)
    m.set_clock(2_000_000_000)
    m.reset()
    assert names(m) == ["demo"]
    assert m.now() != 2_000_000_000


def now(m):
    m.set_clock(1_900_000_000)
    assert m.now() == 1_900_000_000


def advance_clock(m):
    t0 = m.now()
    assert m.advance_clock(100) == t0 + 100
    assert m.now() == t0 + 100


def set_clock(m):
    assert m.set_clock(2_000_000_000) == 2_000_000_000
    assert m.now() == 2_000_000_000


def add_user(m):
    assert add_kim(m) == 2
    assert login(m, "kim", "kim-pw") == 200


def users(m):
    assert names(m) == ["demo"]


def update_user(m):
    uid = add_kim(m)
    m.update_user(uid, password="new-pw")
    assert login(m, "kim", "kim-pw") == 401
    assert login(m, "kim", "new-pw") == 200


def delete_user(m):
    m.delete_user(add_kim(m))
    assert names(m) == ["demo"]


def journal(m):
    get_cart(m)
    assert [(e["method"], e["path"], e["status"]) for e in m.journal()] == [("GET", CART, 200)]


def clear_journal(m):
    get_cart(m)
    m.clear_journal()
    assert m.journal() == []


def configure(m):
    assert m.configure(access_ttl=77)["access_ttl"] == 77
    assert m.config()["access_ttl"] == 77


def config(m):
    c = m.config()
    assert c["plugin"] == "v3"
    assert c["secret"] == "[redacted]"


def add_fault(m):
    m.add_fault(CART, "status", status=503)
    assert get_cart(m) == 503
    assert get_cart(m) == 200


def faults(m):
    m.add_fault(CART, "status", status=503, times=2)
    f = m.faults()
    assert len(f) == 1 and f[0]["path"] == CART


def clear_faults(m):
    m.add_fault(CART, "status", status=503)
    m.clear_faults()
    assert m.faults() == []
    assert get_cart(m) == 200


# One effect check per launcher name; a control without one fails.
EFFECTS = {f.__name__: f for f in (reset, now, advance_clock, set_clock, add_user, users,
                                   update_user, delete_user, journal, clear_journal, configure,
                                   config, add_fault, faults, clear_faults)}


def test_controls_json_is_not_empty():
    assert len(CONTROLS) >= 15


@pytest.mark.parametrize("control", CONTROLS,
                         ids=[f"{c['method']} {c['path']} {c.get('body') or ''} {c['python']}"
                              for c in CONTROLS])
def test_every_control_has_a_callable_that_reaches_its_route(cocart_mock_session, control):
    name = control["python"]
    assert callable(getattr(cocart_mock_session, name, None)), f"the Python API has no {name}()"
    assert name in EFFECTS, f"no effect check for {name}: add one to test_controls.py"
    cocart_mock_session.reset()
    EFFECTS[name](cocart_mock_session)


def test_a_failing_control_raises_mock_error(cocart_mock):
    with pytest.raises(cm.MockError) as e:
        cocart_mock.delete_user(999)
    assert e.value.status == 404
