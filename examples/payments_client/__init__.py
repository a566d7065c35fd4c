"""Two clients of the bundled payments API (``contracts/payments.yaml``) with one interface.

``resilient.PaymentsClient`` is what a careful team ships; ``naive.PaymentsClient`` is what
many first versions look like. The shared suite in ``examples/test_suite`` runs against
both, and contractkit's assertions say what the naive one does wrong.
"""
