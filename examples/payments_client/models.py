"""What the clients return: plain frozen dataclasses, independent of the HTTP library."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field


class PaymentStatus(str, enum.Enum):
    REQUIRES_CAPTURE = "requires_capture"
    PROCESSING = "processing"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELED = "canceled"
    #: a status this client does not know yet (the provider added one)
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Payment:
    id: str
    status: PaymentStatus
    amount: int
    currency: str
    created: str
    description: str | None = None
    metadata: dict[str, str] = field(default_factory=dict)
    captured_at: str | None = None
