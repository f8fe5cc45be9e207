"""A real OpenID Connect provider for the tests, built on Authlib's server side, served on 127.0.0.1.

Authorization code flow with discovery, a JWKS, RS256-signed ID tokens carrying the nonce, and PKCE
required (S256 only): a client that sends no code challenge, or the wrong verifier, is refused here,
as a strict newsroom provider would. `sign_in_as` sets who the next visitor to /authorize is (no
login form: the provider's own login is not what the desk's tests are about).
"""
from __future__ import annotations

import secrets
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field

from authlib.integrations.flask_oauth2 import AuthorizationServer
from authlib.oauth2 import OAuth2Error
from authlib.oauth2.rfc6749 import grants
from authlib.oauth2.rfc6749.errors import InvalidRequestError
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oidc.core import OpenIDCode, UserInfo
from flask import Flask, jsonify, request
from joserfc.jwk import RSAKey
from werkzeug.serving import make_server

CLIENT_ID = "factdesk-tests"
CLIENT_SECRET = "provider-secret-for-tests"


@dataclass
class Client:
    redirect_uris: list[str]
    client_id: str = CLIENT_ID
    client_secret: str = CLIENT_SECRET

    def get_client_id(self):
        return self.client_id

    def get_default_redirect_uri(self):
        return self.redirect_uris[0]

    def get_allowed_scope(self, scope):
        return " ".join(s for s in (scope or "").split() if s in {"openid", "email", "profile"})

    def check_redirect_uri(self, redirect_uri):
        return redirect_uri in self.redirect_uris

    def check_client_secret(self, client_secret):
        return secrets.compare_digest(client_secret, self.client_secret)

    def check_endpoint_auth_method(self, method, endpoint):
        return method in ("client_secret_basic", "client_secret_post")

    def check_response_type(self, response_type):
        return response_type == "code"

    def check_grant_type(self, grant_type):
        return grant_type == "authorization_code"


@dataclass
class Person:
    sub: str
    email: str
    email_verified: bool = True
    name: str = ""


@dataclass
class Code:
    code: str
    client_id: str
    redirect_uri: str
    scope: str
    nonce: str | None
    code_challenge: str | None
    code_challenge_method: str | None
    user: Person

    def get_redirect_uri(self):
        return self.redirect_uri

    def get_scope(self):
        return self.scope

    def get_nonce(self):
        return self.nonce

    def get_auth_time(self):
        return None

    def get_acr(self):
        return None

    def get_amr(self):
        return None


@dataclass
class Provider:
    issuer: str = ""
    key: RSAKey = field(default_factory=lambda: RSAKey.generate_key(2048, parameters={"kid": "test-key"}))
    client: Client = field(default_factory=lambda: Client(redirect_uris=[]))
    person: Person | None = None
    codes: dict[str, Code] = field(default_factory=dict)
    nonces: set[str] = field(default_factory=set)
    # What the desk sent, so tests can see PKCE and nonce were used.
    authorize_requests: list[dict] = field(default_factory=list)
    # A provider (or someone in between) that puts another nonce in the ID token than the desk sent.
    forge_nonce: bool = False

    def sign_in_as(self, email: str, *, verified: bool = True, name: str = "Someone") -> None:
        self.person = Person(sub=f"sub-{email}", email=email, email_verified=verified, name=name)


class _S256Required(CodeChallenge):
    """PKCE for every client, S256 only."""

    SUPPORTED_CODE_CHALLENGE_METHOD = ["S256"]

    def validate_code_challenge(self, grant, redirect_uri):
        if not grant.request.payload.data.get("code_challenge"):
            raise InvalidRequestError("PKCE is required: send code_challenge (S256)")
        return super().validate_code_challenge(grant, redirect_uri)


def _app(provider: Provider) -> Flask:
    app = Flask("oidc-test-provider")
    app.config["OAUTH2_TOKEN_EXPIRES_IN"] = {"authorization_code": 600}

    class CodeGrant(grants.AuthorizationCodeGrant):
        TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]

        def save_authorization_code(self, code, request):
            data = request.payload.data
            provider.codes[code] = Code(code=code, client_id=request.client.get_client_id(),
                                        redirect_uri=request.payload.redirect_uri, scope=request.payload.scope,
                                        nonce=data.get("nonce"), code_challenge=data.get("code_challenge"),
                                        code_challenge_method=data.get("code_challenge_method"), user=request.user)
            if data.get("nonce"):
                provider.nonces.add(data["nonce"])

        def query_authorization_code(self, code, client):
            found = provider.codes.get(code)
            return found if found and found.client_id == client.get_client_id() else None

        def delete_authorization_code(self, authorization_code):
            provider.codes.pop(authorization_code.code, None)

        def authenticate_user(self, authorization_code):
            return authorization_code.user

    class IdToken(OpenIDCode):
        def exists_nonce(self, nonce, request):
            return nonce in provider.nonces

        def resolve_client_private_key(self, client):
            return provider.key

        def get_client_algorithm(self, client):
            return "RS256"

        def get_encode_header(self, client):
            return {"alg": "RS256", "kid": "test-key"}

        def get_client_claims(self, client):
            return {"iss": provider.issuer, "aud": [client.get_client_id()]}

        def get_authorization_code_claims(self, authorization_code):
            claims = super().get_authorization_code_claims(authorization_code)
            if provider.forge_nonce:
                claims["nonce"] = "a-nonce-this-desk-never-sent"
            return claims

        def generate_user_info(self, user, scope):
            return UserInfo(sub=user.sub, email=user.email, email_verified=user.email_verified, name=user.name)

    server = AuthorizationServer(app, query_client=lambda cid: provider.client if cid == provider.client.client_id
                                 else None,
                                 save_token=lambda token, request: None)
    server.register_grant(CodeGrant, [IdToken(require_nonce=True), _S256Required(required=True)])

    @app.get("/.well-known/openid-configuration")
    def discovery():
        base = provider.issuer
        return jsonify({
            "issuer": base, "authorization_endpoint": f"{base}/authorize", "token_endpoint": f"{base}/token",
            "jwks_uri": f"{base}/jwks", "response_types_supported": ["code"], "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"], "scopes_supported": ["openid", "email", "profile"],
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        })

    @app.get("/jwks")
    def jwks():
        return jsonify({"keys": [provider.key.as_dict(private=False)]})

    @app.get("/authorize")
    def authorize():
        provider.authorize_requests.append(dict(request.args))
        try:
            grant = server.get_consent_grant(end_user=provider.person)
        except OAuth2Error as error:
            return server.handle_error_response(None, error)
        return server.create_authorization_response(grant_user=provider.person, grant=grant)

    @app.post("/token")
    def token():
        return server.create_token_response()

    return app


@contextmanager
def running_provider(redirect_uri: str):
    """A provider on a free 127.0.0.1 port that knows one client (the desk, with this redirect URI)."""
    provider = Provider(client=Client(redirect_uris=[redirect_uri]))
    httpd = make_server("127.0.0.1", 0, _app(provider), threaded=True)
    provider.issuer = f"http://127.0.0.1:{httpd.server_port}"
    thread = threading.Thread(target=httpd.serve_forever, name="oidc-provider", daemon=True)
    thread.start()
    try:
        yield provider
    finally:
        httpd.shutdown()
        thread.join(10)
        httpd.server_close()
