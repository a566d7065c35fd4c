"""Security requirements, security schemes and servers: how clients reach and
authenticate to the API."""

from __future__ import annotations

from collections.abc import Mapping

from contractkit.contract.model import Contract, Operation
from contractkit.diff.recorder import Recorder, Site, resolver_of


def compare_security(record: Recorder, old: Operation, new: Operation, label: str,
                     site: Site) -> None:
    """The credentials an operation accepts: alternatives, and scopes within them."""
    parts = [label, "security"]
    before = {frozenset(r): r for r in old.security if r}
    after = {frozenset(r): r for r in new.security if r}
    open_before = not before or len(before) < len(old.security)
    open_after = not after or len(after) < len(new.security)
    if open_before and not open_after:
        record.add("security-added", parts,
                   "the operation now needs credentials (" + _alternatives(after)
                   + "): anonymous clients will get 401", operation=label, site=site,
                   new=_alternatives(after))
        return
    if open_after and not open_before:
        record.add("security-removed", parts, "the operation no longer needs credentials",
                   operation=label, site=site, old=_alternatives(before))
        return
    for key in sorted(before.keys() - after.keys(), key=sorted):
        record.add("security-alternative-removed", [*parts, " + ".join(sorted(key))],
                   f"authenticating with {' + '.join(sorted(key))} is no longer accepted: "
                   "clients using it will get 401", operation=label, site=site)
    for key in sorted(after.keys() - before.keys(), key=sorted):
        record.add("security-alternative-added", [*parts, " + ".join(sorted(key))],
                   f"authenticating with {' + '.join(sorted(key))} is now accepted",
                   operation=label, site=site)
    for key in sorted(before.keys() & after.keys(), key=sorted):
        for scheme in sorted(key):
            was, now = set(before[key][scheme]), set(after[key][scheme])
            for scope in sorted(now - was):
                record.add("security-scope-added", [*parts, scheme, scope],
                           f"scope `{scope}` of {scheme} is now required: tokens without "
                           "it will get 403", new=scope, operation=label, site=site)
            for scope in sorted(was - now):
                record.add("security-scope-removed", [*parts, scheme, scope],
                           f"scope `{scope}` of {scheme} is no longer required", old=scope,
                           operation=label, site=site)

def compare_security_schemes(record: Recorder) -> None:
    """How each security scheme that both contracts define expects credentials."""
    before, after = record.old.security_schemes, record.new.security_schemes
    for name in sorted(before.keys() & after.keys()):
        was, now = before[name], after[name]
        old_shape = (was.type, was.scheme, was.location, was.parameter_name)
        new_shape = (now.type, now.scheme, now.location, now.parameter_name)
        if old_shape != new_shape:
            record.add("security-scheme-changed", ["securitySchemes", name],
                       f"security scheme {name} changed from {_scheme_text(old_shape)} to "
                       f"{_scheme_text(new_shape)}: clients send credentials the old way",
                       old=_scheme_text(old_shape), new=_scheme_text(new_shape),
                       site=("new", _root_uri(record.new), now.pointer))

def compare_servers(record: Recorder) -> None:
    before = [s.url for s in record.old.servers]
    after = [s.url for s in record.new.servers]
    # a trailing slash names the same server (`https://api.example.com/v1/` is `.../v1`)
    same_before = {url.rstrip("/") for url in before}
    same_after = {url.rstrip("/") for url in after}
    old_paths, new_paths = _base_paths(record.old), _base_paths(record.new)
    if old_paths and new_paths and not old_paths & new_paths:
        was, now = " or ".join(sorted(old_paths)), " or ".join(sorted(new_paths))
        record.add("base-path-changed", ["servers"],
                   f"the base path moved from {was} to {now}: every operation's URL moves, "
                   f"so clients calling {sorted(old_paths)[0].rstrip('/')}/... get 404",
                   old=was, new=now)
    for url in before:
        if url.rstrip("/") not in same_after and after:
            record.add("server-removed", ["servers", url],
                       f"server {url} was removed: clients configured with it stop working",
                       old=url)
    for url in after:
        if url.rstrip("/") not in same_before and before:
            record.add("server-added", ["servers", url], f"server {url} was added", new=url)


def _base_paths(contract: Contract) -> set[str]:
    """The path part of each server URL, ``/`` for the root."""
    return {server.path or "/" for server in contract.servers}


def _root_uri(contract: Contract) -> str:
    resolver = resolver_of(contract)
    return str(resolver.root.uri) if resolver is not None else contract.source


def _alternatives(requirements: Mapping[frozenset[str], Mapping[str, tuple[str, ...]]]) -> str:
    return " or ".join(" + ".join(sorted(key)) for key in sorted(requirements, key=sorted))


def _scheme_text(shape: tuple[str, str, str, str]) -> str:
    kind, scheme, location, name = shape
    if kind == "apiKey":
        return f"apiKey in {location} {name}"
    return f"{kind} {scheme}".strip()
