"""The shared listener on its own: routes mounted while it runs, one site per address,
the site up while any route needs it. Spoken to over real HTTP with httpx."""

from __future__ import annotations

import httpx
import pytest
from aiohttp import web

from bot.platforms.listener import Listener, Listeners, Mounted


async def hello(request: web.Request) -> web.Response:
    return web.Response(text=f"hello {request.method} {request.path}")


async def get(listener: Listener, path: str, method: str = "GET") -> httpx.Response:
    async with httpx.AsyncClient(trust_env=False, timeout=5.0) as client:
        return await client.request(method, f"http://127.0.0.1:{listener.port}{path}")


async def test_a_route_mounted_after_the_start_is_served() -> None:
    listener = Listener("127.0.0.1:0")
    first = Mounted(listener, "GET", "/one", hello)
    await first.start()
    try:
        assert (await get(listener, "/two")).status_code == 404
        listener.add_route("*", "/two/", hello)  # e.g. WebSub, mounted later, any method
        assert (await get(listener, "/two")).text == "hello GET /two"
        assert (await get(listener, "/two", "POST")).text == "hello POST /two"
        assert (await get(listener, "/one", "POST")).status_code == 405
        listener.remove_route("*", "/two")
        assert (await get(listener, "/two")).status_code == 404
    finally:
        await first.stop()
    assert not listener.running


async def test_the_site_runs_while_any_route_needs_it() -> None:
    listener = Listener("127.0.0.1:0")
    a = Mounted(listener, "GET", "/a", hello)
    b = Mounted(listener, "GET", "/b", hello)
    await a.start()
    port = listener.port
    await b.start()
    assert listener.port == port and listener.paths == ["/a", "/b"]
    await a.stop()
    assert listener.running and (await get(listener, "/b")).status_code == 200
    assert (await get(listener, "/a")).status_code == 404
    await b.stop()
    assert not listener.running
    with pytest.raises(httpx.ConnectError):
        await get(listener, "/b")


def test_listeners_are_one_per_address() -> None:
    listeners = Listeners()
    one = listeners.get("127.0.0.1:8443")
    assert listeners.get("[127.0.0.1]:8443") is one
    assert listeners.get("127.0.0.1:8444") is not one
    assert listeners.get("127.0.0.1:0") is not listeners.get("127.0.0.1:0")  # tests' ports
    assert len(list(listeners)) == 4
    with pytest.raises(ValueError):
        listeners.get("8443")
