"""A small OpenID Connect provider for tests: discovery, authorize, token and keys.

It signs real RS256 ID tokens, so the app's sign-in goes through Authlib's full checks
(issuer, audience, nonce, signature, expiry) exactly as against Microsoft Entra ID.
"""

from __future__ import annotations

import threading
import time
from urllib.parse import urlencode

from flask import Flask, jsonify, redirect, request
from joserfc import jwt
from joserfc.jwk import RSAKey
from werkzeug.serving import make_server

CLIENT_ID, CLIENT_SECRET = "cpc-test-client", "cpc-test-secret"


class FakeProvider:
    def __init__(self):
        self.key = RSAKey.generate_key(2048, parameters={"kid": "k1"})
        self.identity = {"sub": "entra-0001", "preferred_username": "sw"}
        self.codes: dict[str, str] = {}  # code → nonce
        self.app = self._build()
        self.server = make_server("127.0.0.1", 0, self.app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.thread.join()
        self.server.server_close()

    @property
    def metadata_url(self) -> str:
        return self.url + "/.well-known/openid-configuration"

    def _build(self) -> Flask:
        app = Flask("fake_oidc")

        @app.get("/.well-known/openid-configuration")
        def discovery():
            return jsonify(
                issuer=self.url,
                authorization_endpoint=self.url + "/authorize",
                token_endpoint=self.url + "/token",
                jwks_uri=self.url + "/jwks",
                response_types_supported=["code"],
                subject_types_supported=["public"],
                id_token_signing_alg_values_supported=["RS256"],
            )

        @app.get("/jwks")
        def jwks():
            return jsonify(keys=[self.key.as_dict(private=False)])

        @app.get("/authorize")
        def authorize():
            code = f"code-{len(self.codes) + 1}"
            self.codes[code] = request.args.get("nonce", "")
            query = urlencode({"code": code, "state": request.args["state"]})
            return redirect(f"{request.args['redirect_uri']}?{query}")

        @app.post("/token")
        def token():
            nonce = self.codes.pop(request.form.get("code", ""), None)
            if nonce is None:
                return jsonify(error="invalid_grant"), 400
            now = int(time.time())
            claims = {
                "iss": self.url,
                "aud": CLIENT_ID,
                "iat": now,
                "exp": now + 300,
                "nonce": nonce,
                **self.identity,
            }
            id_token = jwt.encode({"alg": "RS256", "kid": "k1"}, claims, self.key)
            return jsonify(
                access_token="at", token_type="Bearer", expires_in=300, id_token=id_token
            )

        return app
