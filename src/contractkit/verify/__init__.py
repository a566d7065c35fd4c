"""Provider verification (DESIGN.md §8): a running provider checked against its contract
with schemathesis' generated requests and checks (:mod:`.generated`), plus contractkit's
opt-in integration checks (:mod:`.integration`). :func:`~.run.verify` returns a
:class:`~.model.VerifyReport`; rendering it is ``reporting/``'s job."""
