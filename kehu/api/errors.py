"""Map every error to the format of DESIGN.md:
{"code": "...", "detail": "...", "errors": [{"field": "...", "message": "..."}]}."""

from django.http import Http404
from django.utils.translation import gettext_lazy as _
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from kehu.core.errors import DomainError, ErrorCode

BODY_NOT_JSON = {"field": "__body__", "message": "请求体不是有效的 JSON"}


def error_body(code: str, detail: str, errors: list | None = None, **extra) -> dict:
    return {"code": code, "detail": detail, "errors": errors or [], **extra}


def _field_name(loc) -> str:
    # ninja locations look like ("body", "payload", "uscc") or ("query", "limit").
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "payload", "form", "data")]
    return ".".join(parts) or "__all__"


# pydantic's messages are English; people get these (in the request's language) instead.
MESSAGES = {
    "missing": _("必填"),
    "enum": _("取值无效，可选：%(expected)s"),
    "literal_error": _("取值无效，可选：%(expected)s"),
    "string_too_long": _("最多 %(max_length)s 个字符"),
    "string_too_short": _("至少 %(min_length)s 个字符"),
    "string_type": _("应为文本"),
    "int_parsing": _("应为整数"),
    "int_type": _("应为整数"),
    "int_from_float": _("应为整数"),
    "float_parsing": _("应为数字"),
    "decimal_parsing": _("应为数字"),
    "decimal_type": _("应为数字"),
    "decimal_max_digits": _("数字位数过多"),
    "decimal_max_places": _("最多 %(decimal_places)s 位小数"),
    "bool_parsing": _("应为 true 或 false"),
    "bool_type": _("应为 true 或 false"),
    "date_parsing": _("日期格式应为 YYYY-MM-DD"),
    "date_from_datetime_parsing": _("日期格式应为 YYYY-MM-DD"),
    "date_type": _("日期格式应为 YYYY-MM-DD"),
    "datetime_parsing": _("时间格式应为 ISO 8601"),
    "list_type": _("应为数组"),
    "dict_type": _("应为对象"),
    "too_long": _("最多 %(max_length)s 项"),
    "too_short": _("至少 %(min_length)s 项"),
    "greater_than_equal": _("不能小于 %(ge)s"),
    "less_than_equal": _("不能大于 %(le)s"),
    "greater_than": _("必须大于 %(gt)s"),
    "less_than": _("必须小于 %(lt)s"),
}


def _message(err: dict) -> str:
    template = MESSAGES.get(err.get("type", ""))
    if template is None:
        return err.get("msg", "invalid")
    try:
        return str(template) % {k: v for k, v in (err.get("ctx") or {}).items()}
    except (KeyError, TypeError, ValueError):
        return err.get("msg", "invalid")


def install(api) -> None:
    @api.exception_handler(DomainError)
    def domain_error(request, exc: DomainError):
        response = api.create_response(
            request, error_body(exc.code, exc.detail, exc.errors, **exc.extra), status=exc.status
        )
        if "retry_after" in exc.extra:
            response["Retry-After"] = str(exc.extra["retry_after"])
        return response

    @api.exception_handler(NinjaValidationError)
    def validation_error(request, exc: NinjaValidationError):
        errors = []
        for err in exc.errors:
            if err.get("type") == "json_invalid" or "JSON" in err.get("msg", ""):
                errors.append(dict(BODY_NOT_JSON))
                continue
            errors.append({"field": _field_name(err.get("loc", ())), "message": _message(err)})
        detail = errors[0]["message"] if errors else "请求无效"
        return api.create_response(
            request, error_body(ErrorCode.VALIDATION, detail, errors), status=422
        )

    @api.exception_handler(AuthenticationError)
    def authentication_error(request, exc):
        return api.create_response(
            request, error_body(ErrorCode.AUTHENTICATION, "未登录或令牌无效"), status=401
        )

    @api.exception_handler(Http404)
    def not_found(request, exc):
        return api.create_response(request, error_body(ErrorCode.NOT_FOUND, "不存在"), status=404)

    @api.exception_handler(HttpError)
    def http_error(request, exc: HttpError):
        if exc.status_code == 400 and isinstance(exc.__cause__, ValueError):
            # ninja reports a body it cannot parse as JSON as a bare 400; it is a validation
            # error of the body like any other (JSONDecodeError is a ValueError).
            return api.create_response(
                request,
                error_body(ErrorCode.VALIDATION, "请求体不是有效的 JSON", [dict(BODY_NOT_JSON)]),
                status=422,
            )
        codes = {
            400: ErrorCode.BAD_REQUEST,
            401: ErrorCode.AUTHENTICATION,
            403: ErrorCode.PERMISSION_DENIED,
            404: ErrorCode.NOT_FOUND,
            409: ErrorCode.CONFLICT,
            422: ErrorCode.VALIDATION,
        }
        code = codes.get(exc.status_code, ErrorCode.BAD_REQUEST)
        return api.create_response(request, error_body(code, str(exc)), status=exc.status_code)
