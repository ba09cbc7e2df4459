"""API authentication: Bearer tokens for programs, the browser session (with CSRF) for the UI."""

from ninja.security import HttpBearer, SessionAuth

from kehu.accounts.services import token_authenticate


def sends_bearer(request) -> bool:
    return request.headers.get("Authorization", "").lower().startswith("bearer")


class BearerToken(HttpBearer):
    def authenticate(self, request, token):
        user = token_authenticate(token)
        if user is not None:
            request.user = user
        return user


class ActiveSessionAuth(SessionAuth):
    """The signed-in browser's session. Only a request that has one is checked for its CSRF
    token: a program whose Bearer token is wrong, or a caller with no credentials at all, is
    unauthenticated (401), not a forged browser request (403). A request that sends a Bearer
    token is decided by it alone, whatever cookies come along."""

    def __call__(self, request):
        if sends_bearer(request) or not request.user.is_authenticated:
            return None
        return super().__call__(request)

    def authenticate(self, request, key):
        user = super().authenticate(request, key)
        return user if user is not None and user.is_active else None


api_auth = [BearerToken(), ActiveSessionAuth()]
