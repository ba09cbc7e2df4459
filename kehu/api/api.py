"""The one NinjaAPI instance; each app contributes a router."""

from ninja import NinjaAPI
from ninja.renderers import JSONRenderer

from kehu.accounts.api import auth_router, departments_router, roles_router, users_router
from kehu.api import errors
from kehu.api.auth import api_auth
from kehu.customers.api import router as customers_router
from kehu.dedup.api import check_router as duplicate_check_router
from kehu.dedup.api import router as duplicates_router
from kehu.files.api import router as attachments_router
from kehu.notify.api import router as notifications_router
from kehu.refdata.api import router as refdata_router


class UTF8JSONRenderer(JSONRenderer):
    """Chinese text as UTF-8 rather than \\u escapes: half the bytes on a phone's connection."""

    json_dumps_params = {"ensure_ascii": False}


api = NinjaAPI(
    renderer=UTF8JSONRenderer(),
    title="Kehu API",
    version="1",
    description="客户关系管理 API。认证：POST /api/v1/auth/token 取得令牌，之后在请求头带上 "
    "`Authorization: Bearer <token>`。",
    auth=api_auth,
    urls_namespace="api-v1",
    docs_url="/docs",
    openapi_url="/openapi.json",
)
errors.install(api)

api.add_router("/auth", auth_router)
api.add_router("/users", users_router)
api.add_router("/departments", departments_router)
api.add_router("/roles", roles_router)
api.add_router("/refdata", refdata_router)
api.add_router("/customers/duplicates", duplicate_check_router)
api.add_router("/customers", customers_router)
api.add_router("/duplicates", duplicates_router)
api.add_router("/notifications", notifications_router)
api.add_router("/attachments", attachments_router)
