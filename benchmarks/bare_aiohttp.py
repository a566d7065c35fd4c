"""The benchmark baseline: a bare aiohttp handler answering GET /pets/{id} with the same
JSON body the mock serves for the contract's default response (computed once at start).

    bare_aiohttp.py CONTRACT [asyncio|uvloop]     # the event loop (default asyncio)
"""

from __future__ import annotations

import asyncio
import importlib
import sys

from aiohttp import web

import contractkit
from contractkit.server.prefer import Preferences
from contractkit.server.responses import Responder


def main() -> None:
    contract = contractkit.load(sys.argv[1])
    match = contract.match("GET", "/pets/1")
    assert match is not None, "the contract has no GET /pets/{id}"
    answer = Responder(contract).respond(match.operation, Preferences(), None, 0)
    body, content_type = answer.body, answer.headers.get("Content-Type", "application/json")

    async def pet(request: web.Request) -> web.Response:
        return web.Response(body=body, content_type=content_type)

    app = web.Application()
    app.router.add_get("/pets/{id}", pet)

    async def start() -> None:
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = runner.addresses[0][1]
        print(f"listening http://127.0.0.1:{port}", flush=True)
        await asyncio.Event().wait()

    if len(sys.argv) > 2 and sys.argv[2] == "uvloop":
        uvloop = importlib.import_module("uvloop")
        with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
            runner.run(start())
    else:
        asyncio.run(start())


if __name__ == "__main__":
    main()
