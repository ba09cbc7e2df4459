"""API authentication: Bearer tokens for programs, the browser session (with CSRF) for the UI."""

from ninja.security import HttpBearer, SessionAuth

from kehu.accounts.services import token_authenticate


class BearerToken(HttpBearer):
    def authenticate(self, request, token):
        user = token_authenticate(token)
        if user is not None:
            request.user = user
        return user


class ActiveSessionAuth(SessionAuth):
    def authenticate(self, request, key):
        user = super().authenticate(request, key)
        return user if user is not None and user.is_active else None


api_auth = [BearerToken(), ActiveSessionAuth()]
