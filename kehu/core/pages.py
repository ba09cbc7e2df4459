"""What every page view needs around the services: domain errors as HTTP errors, and redirects
that work for htmx requests too. (The API maps the same errors to JSON in kehu.api.)"""

from functools import wraps

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect

from kehu.core.errors import NotFound, PermissionDenied
from kehu.core.htmx import is_htmx


def page_errors(view):
    """NotFound (missing or out of scope) → 404, PermissionDenied (may see, may not act) → 403."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except NotFound as exc:
            raise Http404(exc.detail) from None
        except PermissionDenied as exc:
            raise DjangoPermissionDenied(exc.detail) from None

    return wrapper


def redirect_page(request, url: str):
    """A redirect; for htmx a full-page navigation (HX-Redirect) instead of a swapped fragment."""
    if is_htmx(request):
        response = HttpResponse()
        response["HX-Redirect"] = url
        return response
    return redirect(url)
