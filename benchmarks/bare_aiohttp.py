"""The benchmark baseline: a bare aiohttp handler answering GET PATH with the same body
the mock serves for the contract's default response there (computed once at start).

    bare_aiohttp.py CONTRACT [asyncio|uvloop] [PATH]   # default loop asyncio, PATH /pets/1

The route is the operation's template (``/pets/{id}``), so aiohttp's router matches it as
it would in a hand-written server.
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
    path = sys.argv[3] if len(sys.argv) > 3 else "/pets/1"
    match = contract.match("GET", path)
    assert match is not None, f"the contract has no GET {path}"
    answer = Responder(contract).respond(match.operation, Preferences(), None, 0)
    body, content_type = answer.body, answer.headers.get("Content-Type", "application/json")

    async def pet(request: web.Request) -> web.Response:
        return web.Response(body=body, content_type=content_type)

    app = web.Application()
    app.router.add_get(match.operation.path, pet)

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
