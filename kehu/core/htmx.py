"""One view serves the full page and its htmx partial (DESIGN.md rule 10)."""

from django.shortcuts import render


def is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true" and not request.headers.get(
        "HX-History-Restore-Request"
    )


def render_page_or_partial(request, page: str, partial: str, context: dict, status: int = 200):
    return render(request, partial if is_htmx(request) else page, context, status=status)
