"""A small shop to load: the target of samples/tasks/http-journey.yaml and of squall's journey tests.

    python samples/apps/shop.py [--port 8080]

Routes: ``POST /login`` ({username, password}: the password is the username
reversed) answers a bearer token and sets a ``sid`` cookie; with the token,
``GET /items?page=N`` (10 a page), ``POST /items`` ({name}: 201 and the new
item), ``GET /items/{id}``; ``GET /me`` reads the cookie; ``GET /slow``
answers after 50 ms; ``GET /flaky`` fails one request in 50 (2 %, every
50th) with 500. ``GET /_stats`` maps each route it served (method and path
template) to the requests it answered; ``GET /_stats/failed`` to those it
answered with 400 or more; ``GET /_stats/logins`` to the logins per user.
``POST /logout`` (with the token) ends the token's session;
``GET /_stats/logouts`` maps each user to its logouts.
"""

from __future__ import annotations

import argparse
import asyncio
import secrets
from collections import Counter
from itertools import islice
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

SERVED: Counter[str] = Counter()
FAILED: Counter[str] = Counter()
LOGINS: Counter[str] = Counter()
LOGOUTS: Counter[str] = Counter()
TOKENS: dict[str, str] = {}  # token -> user
ITEMS: dict[int, dict[str, Any]] = {n: {"id": n, "name": f"item {n}"} for n in range(1, 101)}


def _answer(route: str, body: Any, status: int = 200, **kwargs: Any) -> JSONResponse:
    SERVED[route] += 1
    if status >= 400:
        FAILED[route] += 1
    return JSONResponse(body, status_code=status, **kwargs)


def _user(request: Request) -> str | None:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return TOKENS.get(token) if scheme.lower() == "bearer" else None


async def login(request: Request) -> JSONResponse:
    try:
        body = await request.json()
        name, password = str(body["username"]), str(body["password"])
    except (ValueError, KeyError, TypeError):
        return _answer("POST /login", {"error": "give {username, password}"}, 400)
    if not name or password != name[::-1]:
        return _answer("POST /login", {"error": "wrong username or password"}, 401)
    token = secrets.token_hex(16)
    TOKENS[token] = name
    LOGINS[name] += 1
    response = _answer("POST /login", {"token": token})
    response.set_cookie("sid", token, httponly=True)
    return response


async def logout(request: Request) -> JSONResponse:
    name = _user(request)
    if name is None:
        return _answer("POST /logout", {"error": "log in first"}, 401)
    del TOKENS[request.headers["authorization"].partition(" ")[2]]
    LOGOUTS[name] += 1
    return _answer("POST /logout", {"bye": name})


async def list_items(request: Request) -> JSONResponse:
    if _user(request) is None:
        return _answer("GET /items", {"error": "log in first"}, 401)
    try:
        page = max(1, int(request.query_params.get("page", "1")))
    except ValueError:
        return _answer("GET /items", {"error": "page must be a number"}, 400)
    # Ids are 1, 2, 3... in the order items were made (none is deleted): a page is a slice of that order, and its
    # cost does not grow with the items made so far (a load test makes thousands).
    items = list(islice(ITEMS.values(), (page - 1) * 10, page * 10))
    more = len(ITEMS) > page * 10
    return _answer("GET /items", {"page": page, "items": items, "next": page + 1 if more else None})


async def create_item(request: Request) -> JSONResponse:
    if _user(request) is None:
        return _answer("POST /items", {"error": "log in first"}, 401)
    try:
        name = str((await request.json())["name"])
    except (ValueError, KeyError, TypeError):
        return _answer("POST /items", {"error": "give {name}"}, 400)
    item = {"id": len(ITEMS) + 1, "name": name}
    ITEMS[item["id"]] = item
    return _answer("POST /items", item, 201)


async def get_item(request: Request) -> JSONResponse:
    if _user(request) is None:
        return _answer("GET /items/{id}", {"error": "log in first"}, 401)
    item = ITEMS.get(request.path_params["id"])
    if item is None:
        return _answer("GET /items/{id}", {"error": "no such item"}, 404)
    return _answer("GET /items/{id}", item)


async def me(request: Request) -> JSONResponse:
    name = TOKENS.get(request.cookies.get("sid", ""))
    if name is None:
        return _answer("GET /me", {"error": "no session cookie"}, 401)
    return _answer("GET /me", {"username": name})


async def slow(request: Request) -> JSONResponse:
    await asyncio.sleep(0.05)
    return _answer("GET /slow", {"slow": True})


async def flaky(request: Request) -> JSONResponse:
    failing = (SERVED["GET /flaky"] + 1) % 50 == 0
    return _answer("GET /flaky", {"ok": not failing}, 500 if failing else 200)


async def stats(request: Request) -> JSONResponse:
    return JSONResponse(dict(SERVED))


async def stats_failed(request: Request) -> JSONResponse:
    return JSONResponse(dict(FAILED))


async def stats_logins(request: Request) -> JSONResponse:
    return JSONResponse(dict(LOGINS))


async def stats_logouts(request: Request) -> JSONResponse:
    return JSONResponse(dict(LOGOUTS))


app = Starlette(routes=[
    Route("/login", login, methods=["POST"]),
    Route("/logout", logout, methods=["POST"]),
    Route("/items", list_items, methods=["GET"]),
    Route("/items", create_item, methods=["POST"]),
    Route("/items/{id:int}", get_item, methods=["GET"]),
    Route("/me", me, methods=["GET"]),
    Route("/slow", slow, methods=["GET"]),
    Route("/flaky", flaky, methods=["GET"]),
    Route("/_stats", stats, methods=["GET"]),
    Route("/_stats/failed", stats_failed, methods=["GET"]),
    Route("/_stats/logins", stats_logins, methods=["GET"]),
    Route("/_stats/logouts", stats_logouts, methods=["GET"]),
])


def main() -> None:
    """Serve the shop with uvicorn on 127.0.0.1."""
    import uvicorn

    parser = argparse.ArgumentParser(description="the sample shop squall's journey task loads")
    parser.add_argument("--port", type=int, default=8080)
    opts = parser.parse_args()
    uvicorn.run(app, host="127.0.0.1", port=opts.port, log_level="warning", access_log=False)


if __name__ == "__main__":
    main()
