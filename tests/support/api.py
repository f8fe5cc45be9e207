"""Asking the JSON API as a client would, stopping at the first answer that is not the one expected."""
from __future__ import annotations


def ok(response, *expected):
    """The answer's JSON, once its status is one of `expected` (200 or 201 by default)."""
    assert response.status_code in (expected or (200, 201)), (
        f"{response.request.method} {response.request.path}: {response.status_code} "
        f"{response.get_data(as_text=True)[:400]}")
    return response.get_json()


def patch_claim(client, headers, claim_id: int, **changes):
    """PATCH the claim with the version just read."""
    current = ok(client.get(f"/api/v1/claims/{claim_id}", headers=headers))
    return ok(client.patch(f"/api/v1/claims/{claim_id}", headers=headers,
                           json={"version": current["version"], **changes}))


def move_claim(client, headers, claim_id: int, to: str, comment: str | None = None):
    body = {"to": to} if comment is None else {"to": to, "comment": comment}
    return ok(client.post(f"/api/v1/claims/{claim_id}/transition", headers=headers, json=body))
