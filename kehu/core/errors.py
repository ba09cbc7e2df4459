"""Domain errors raised by services and mapped to HTTP by the API and to messages by pages.

Services never return HTTP responses; they raise one of these with a stable code. The API layer
(kehu.api) turns them into the error format of DESIGN.md.
"""

from enum import StrEnum


class ErrorCode(StrEnum):
    VALIDATION = "validation_error"
    NOT_FOUND = "not_found"
    PERMISSION_DENIED = "permission_denied"
    CONFLICT = "conflict"
    DUPLICATE = "duplicate"
    STALE_VERSION = "stale_version"
    BAD_REQUEST = "bad_request"
    AUTHENTICATION = "authentication_failed"
    LOCKED_OUT = "locked_out"
    RATE_LIMITED = "rate_limited"


class DomainError(Exception):
    status = 400
    code = ErrorCode.BAD_REQUEST

    def __init__(self, detail: str, *, errors: list[dict] | None = None, extra: dict | None = None):
        super().__init__(detail)
        self.detail = detail
        self.errors = errors or []
        self.extra = extra or {}


class ValidationFailed(DomainError):
    """One or more fields are invalid; `errors` is [{"field", "message"}]."""

    status = 422
    code = ErrorCode.VALIDATION

    @classmethod
    def from_django(cls, exc) -> "ValidationFailed":
        errors = []
        if hasattr(exc, "error_dict"):
            for field, field_errors in exc.error_dict.items():
                for error in field_errors:
                    for message in error.messages:
                        errors.append({"field": field, "message": message})
        else:
            errors = [{"field": "__all__", "message": m} for m in exc.messages]
        return cls(errors[0]["message"] if errors else "invalid", errors=errors)


def full_clean(instance, exclude=None) -> None:
    """`instance.full_clean()` for a service: Django's errors as ValidationFailed, field by
    field."""
    from django.core.exceptions import ValidationError

    try:
        instance.full_clean(exclude=exclude)
    except ValidationError as exc:
        raise ValidationFailed.from_django(exc) from None


class NotFound(DomainError):
    status = 404
    code = ErrorCode.NOT_FOUND


class PermissionDenied(DomainError):
    status = 403
    code = ErrorCode.PERMISSION_DENIED


class Conflict(DomainError):
    status = 409
    code = ErrorCode.CONFLICT


class StaleVersion(Conflict):
    code = ErrorCode.STALE_VERSION


class RateLimited(DomainError):
    """Too many requests of one kind from one user; `extra["retry_after"]` is in seconds."""

    status = 429
    code = ErrorCode.RATE_LIMITED
