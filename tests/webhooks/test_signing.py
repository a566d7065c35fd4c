"""Every signing scheme, delivered over a real socket and checked by the provider's or the
standard's own verifier where one exists (GitHub and Shopify publish only the algorithm,
checked here as their documentation writes it)."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
from urllib.parse import parse_qsl

import pytest
import slack_sdk.signature
import standardwebhooks
import stripe
from tests.conftest import CONTRACTS
from tests.webhooks.receiver import Received, Receiver
from twilio.request_validator import RequestValidator

from contractkit.contract.loader import load
from contractkit.errors import WebhookError
from contractkit.server.webhook_sender import WebhookSender
from contractkit.webhooks.delivery import Delivery, Forgery, Ids, Target, plan
from contractkit.webhooks.outbox import Attempt, Outbox
from contractkit.webhooks.payloads import encode

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"


def deliver(delivery: Delivery, target: Target) -> list[Attempt]:
    async def run() -> list[Attempt]:
        sender = WebhookSender(Outbox())
        try:
            return await sender.deliver(delivery, target)
        finally:
            await sender.close()

    return asyncio.run(run())


def send(signing: str, secret: str = SECRET, *, forgery: Forgery | None = None,
         form: bool = False) -> Received:
    contract = load(CONTRACTS / "payments.yaml")
    delivery = plan(contract, "paymentSucceeded", ids=Ids(3))
    if form:
        value = {"MessageSid": "SM123", "MessageStatus": "delivered", "To": "+15551230000"}
        delivery = delivery.but(body=encode(value, "application/x-www-form-urlencoded"),
                                media_type="application/x-www-form-urlencoded")
    delivery = delivery.but(forgery=forgery)
    with Receiver() as receiver:
        [attempt] = deliver(delivery, Target.build(receiver.url, secret=secret,
                                                   signing=signing))
        assert attempt.outcome == "delivered"
        [received] = receiver.received
    assert received.body == delivery.body
    return received


def test_standard_webhooks_verified_by_standardwebhooks() -> None:
    received = send("standard")
    verified = standardwebhooks.Webhook(SECRET).verify(received.body, received.headers)
    assert verified["type"] == "payment.succeeded"


@pytest.mark.parametrize("forgery", ["bad-signature", "wrong-secret", "stale-timestamp",
                                     "missing-signature"])
def test_standard_webhooks_forgeries_are_refused_by_standardwebhooks(forgery: Forgery) -> None:
    received = send("standard", forgery=forgery)
    with pytest.raises(standardwebhooks.webhooks.WebhookVerificationError):
        standardwebhooks.Webhook(SECRET).verify(received.body, received.headers)


def test_stripe_verified_by_construct_event() -> None:
    received = send("stripe", "whsec_test_secret_1234567890")
    event = stripe.Webhook.construct_event(received.body, received.headers["Stripe-Signature"],
                                           "whsec_test_secret_1234567890")
    assert event["type"] == "payment.succeeded"


@pytest.mark.parametrize("forgery", ["bad-signature", "wrong-secret", "stale-timestamp"])
def test_stripe_forgeries_are_refused_by_construct_event(forgery: Forgery) -> None:
    received = send("stripe", "whsec_test_secret_1234567890", forgery=forgery)
    with pytest.raises(stripe.SignatureVerificationError):
        stripe.Webhook.construct_event(received.body, received.headers["Stripe-Signature"],
                                       "whsec_test_secret_1234567890")


def test_slack_verified_by_slack_sdk() -> None:
    received = send("slack", "8f742231b10e8888abcd99yyyzzz85a5")
    verifier = slack_sdk.signature.SignatureVerifier("8f742231b10e8888abcd99yyyzzz85a5")
    assert verifier.is_valid_request(received.body, received.headers)
    forged = send("slack", "8f742231b10e8888abcd99yyyzzz85a5", forgery="bad-signature")
    assert not verifier.is_valid_request(forged.body, forged.headers)


def test_twilio_json_body_verified_by_request_validator() -> None:
    received = send("twilio", "12345678901234567890123456789012")
    validator = RequestValidator("12345678901234567890123456789012")
    url = "http://127.0.0.1:" + received.headers["Host"].split(":")[1] + received.path
    assert "bodySHA256=" in received.path
    assert validator.validate(url, received.body.decode(), received.headers["X-Twilio-Signature"])
    assert not RequestValidator("0" * 32).validate(url, received.body.decode(),
                                                    received.headers["X-Twilio-Signature"])


def test_twilio_form_body_verified_by_request_validator() -> None:
    received = send("twilio", "12345678901234567890123456789012", form=True)
    url = "http://127.0.0.1:" + received.headers["Host"].split(":")[1] + received.path
    params = dict(parse_qsl(received.body.decode()))
    validator = RequestValidator("12345678901234567890123456789012")
    assert validator.validate(url, params, received.headers["X-Twilio-Signature"])


def test_github_signature_as_documented() -> None:
    received = send("github", "It's a Secret to Everybody")
    expected = "sha256=" + hmac.new(b"It's a Secret to Everybody", received.body,
                                    hashlib.sha256).hexdigest()
    assert hmac.compare_digest(received.headers["X-Hub-Signature-256"], expected)
    assert received.headers["X-GitHub-Event"] == "paymentSucceeded"
    assert received.headers["X-GitHub-Delivery"]


def test_shopify_signature_as_documented() -> None:
    received = send("shopify", "shpss_secret")
    digest = hmac.new(b"shpss_secret", received.body, hashlib.sha256).digest()
    assert received.headers["X-Shopify-Hmac-Sha256"] == base64.b64encode(digest).decode()
    assert received.headers["X-Shopify-Topic"] == "paymentSucceeded"


def test_generic_hmac_with_timestamp_template() -> None:
    received = send("hmac:header=X-Sig,algorithm=sha512,encoding=base64,prefix=sha512=,"
                    "signed={timestamp}.{body}", "s3cret")
    stamp = received.headers["X-Timestamp"]
    digest = hmac.new(b"s3cret", stamp.encode() + b"." + received.body, hashlib.sha512).digest()
    assert received.headers["X-Sig"] == "sha512=" + base64.b64encode(digest).decode()


@pytest.mark.parametrize(("signing", "secret", "message"), [
    ("standard", "not-base64!", "a Standard Webhooks secret is 'whsec_' followed by 24 to 64"),
    ("standard", "whsec_c2hvcnQ=", "(got 14 characters starting 'whsec_')"),
    ("stripe", "sk_test_123", "a Stripe endpoint secret starts with 'whsec_'"),
    ("slack", "", "signing 'slack' needs a secret"),
    ("stanard", SECRET, "unknown signing scheme 'stanard'; did you mean 'standard'?"),
    ("hmac:algorithm=md5", "x", "hmac algorithm 'md5': use one of sha1, sha256, sha512"),
    ("hmac:colour=red", "x", "hmac option 'colour=red'"),
])
def test_secret_or_scheme_in_the_wrong_format(signing: str, secret: str, message: str) -> None:
    with pytest.raises(WebhookError) as raised:
        Target.build("http://127.0.0.1:9/hooks", secret=secret, signing=signing)
    assert message in str(raised.value)
    assert "\n" not in str(raised.value)
    if secret and len(secret) > 6:
        assert secret not in str(raised.value)  # never the secret itself
