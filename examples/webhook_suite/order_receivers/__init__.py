"""Two webhook receivers of the orders contract (``contracts/orders.yaml``) with the same
interface: a WSGI application (``receiver(environ, start_response)``), ``applied()`` (how
many events it has acted on) and ``status(order_id)`` (the order's state as it sees it)."""
