"""Reference-data lookups for cascading pickers: /refdata/regions and /refdata/industries.

Any signed-in user may read them (the API's default authentication applies); the lists are
short (at most a few dozen rows), so they are returned whole, not paginated.
"""

from ninja import Router

from kehu.api.schemas import ErrorOut
from kehu.core.errors import NotFound
from kehu.refdata import selectors
from kehu.refdata.schemas import IndustryOut, RegionOut

router = Router(tags=["refdata"])


@router.get("/regions", response={200: list[RegionOut], 404: ErrorOut, 422: ErrorOut})
def region_list(request, parent: str | None = None):
    """Regions directly under `parent` (a 6-digit code), or the provinces without it."""
    if parent and not selectors.region_exists(parent):
        raise NotFound("行政区划不存在")
    return list(selectors.region_children(parent))


@router.get("/industries", response={200: list[IndustryOut], 404: ErrorOut, 422: ErrorOut})
def industry_list(request, section: str | None = None):
    """The divisions of `section` (a letter A–T), or the 20 sections without it."""
    if section and not selectors.industry_exists(section):
        raise NotFound("行业门类不存在")
    return list(selectors.industry_list(section))
