"""`requests` against the mock of the `cocart_mock` fixture: guest cart → login with transfer →
refresh after moving the clock → update → logout, then the mock's journal."""
import re

import pytest
import requests

V2 = "/wp-json/cocart/v2"


@pytest.mark.cocart_mock(access_ttl=60, users=["alice:alice-pw"])
def test_guest_cart_login_transfer_refresh_update_logout(cocart_mock):
    url = cocart_mock.url
    s = requests.Session()  # one User-Agent throughout: the JWT is bound to it

    # Guest cart.
    added = s.post(f"{url}{V2}/cart/add-item", json={"id": "101", "quantity": "2"})
    assert added.status_code == 200
    guest_key = added.headers["CoCart-API-Cart-Key"]
    assert added.json()["cart_key"] == guest_key

    # Login (Basic), then the transfer: the first authenticated call names the guest cart.
    login = s.post(f"{url}{V2}/login", auth=("alice", "alice-pw"))
    assert login.status_code == 200 and login.json()["user_id"] == "1"
    token, refresh = login.json()["extras"]["jwt_token"], login.json()["extras"]["jwt_refresh"]
    assert re.fullmatch(r"[0-9a-f]{128}", refresh)
    bearer = {"Authorization": f"Bearer {token}"}
    transferred = s.get(f"{url}{V2}/cart", params={"cart_key": guest_key}, headers=bearer)
    assert transferred.status_code == 200
    assert transferred.json()["cart_key"] == "1"
    items = transferred.json()["items"]
    assert [(i["id"], i["quantity"]["value"]) for i in items] == [(101, 2)]
    item_key = items[0]["item_key"]

    # The access token expires on the mock's clock; the refresh token gives a new pair.
    cocart_mock.advance_clock(61)
    assert s.get(f"{url}{V2}/cart", headers=bearer).status_code == 403
    refreshed = s.post(f"{url}/wp-json/cocart/jwt/refresh-token", json={"refresh_token": refresh})
    assert refreshed.status_code == 200
    new = refreshed.json()
    assert new["token"] != token and new["refresh_token"] != refresh
    bearer = {"Authorization": f"Bearer {new['token']}"}

    # Update the line with the new token.
    updated = s.post(f"{url}{V2}/cart/item/{item_key}", json={"quantity": "3"}, headers=bearer)
    assert updated.status_code == 200
    assert [(i["id"], i["quantity"]["value"]) for i in updated.json()["items"]] == [(101, 3)]

    # Logout ends every session of the user (plugin v3).
    out = s.post(f"{url}{V2}/logout", headers=bearer)
    assert out.status_code == 200 and out.json() is True
    assert s.get(f"{url}{V2}/cart", headers=bearer).status_code == 403

    # What the mock saw, in order.
    journal = [(e["method"], e["path"], e["query"], e["status"], e["auth"])
               for e in cocart_mock.journal()]
    assert journal == [
        ("POST", f"{V2}/cart/add-item", "", 200, "none"),
        ("POST", f"{V2}/login", "", 200, "basic"),
        ("GET", f"{V2}/cart", f"cart_key={guest_key}", 200, "bearer"),
        ("GET", f"{V2}/cart", "", 403, "bearer"),
        ("POST", "/wp-json/cocart/jwt/refresh-token", "", 200, "none"),
        ("POST", f"{V2}/cart/item/{item_key}", "", 200, "bearer"),
        ("POST", f"{V2}/logout", "", 200, "bearer"),
        ("GET", f"{V2}/cart", "", 403, "bearer"),
    ]
