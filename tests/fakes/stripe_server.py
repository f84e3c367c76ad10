"""A fake Stripe API over real HTTP: the app's Stripe client talks to it through
STRIPE_API_BASE, and tests read what was asked. Nothing here reaches the real Stripe."""

import itertools
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl


class FakeStripe:
    def __init__(self) -> None:
        self.requests: list[dict] = []
        self._ids = itertools.count(1)
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address
        return f"http://{host}:{port}"

    def start(self) -> "FakeStripe":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def calls(self, method: str, path: str) -> list[dict]:
        return [r["params"] for r in self.requests if r["method"] == method and r["path"] == path]

    def _new_id(self, prefix: str) -> str:
        return f"{prefix}_fake{next(self._ids):04d}"

    def respond(self, method: str, path: str, params: dict) -> tuple[int, dict]:
        if method == "POST" and path == "/v1/customers":
            return 200, {"id": self._new_id("cus"), "object": "customer", **_plain(params)}
        if method == "POST" and path == "/v1/checkout/sessions":
            session = self._new_id("cs")
            return 200, {
                "id": session,
                "object": "checkout.session",
                "url": f"https://checkout.stripe.test/c/pay/{session}",
            }
        if method == "POST" and path == "/v1/billing_portal/sessions":
            return 200, {
                "id": self._new_id("bps"),
                "object": "billing_portal.session",
                "url": "https://billing.stripe.test/p/session/test",
            }
        if path.startswith("/v1/subscriptions/"):
            subscription = path.rsplit("/", 1)[1]
            return 200, {
                "id": subscription,
                "object": "subscription",
                "items": {
                    "object": "list",
                    "data": [{"id": "si_fake", "object": "subscription_item"}],
                },
            }
        return 404, {"error": {"type": "invalid_request_error", "message": f"No {path}"}}

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def _serve(self, method: str) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode() if length else ""
                path, _, query = self.path.partition("?")
                params = dict(parse_qsl(body or query, keep_blank_values=True))
                fake.requests.append(
                    {
                        "method": method,
                        "path": path,
                        "params": params,
                        "idempotency_key": self.headers.get("Idempotency-Key"),
                        "authorization": self.headers.get("Authorization"),
                    }
                )
                status, payload = fake.respond(method, path, params)
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                self._serve("GET")

            def do_POST(self):
                self._serve("POST")

            def log_message(self, *args):
                pass

        return Handler


def _plain(params: dict) -> dict:
    return {k: v for k, v in params.items() if "[" not in k}
