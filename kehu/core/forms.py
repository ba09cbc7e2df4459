"""What page forms share: a service's field errors shown on the form (DESIGN.md: services
validate, views show)."""


class ServiceErrorsMixin:
    """For a django Form: `add_service_errors(exc.errors)` puts each {"field", "message"} of a
    ValidationFailed on its field ("department_id" → department), else on the form."""

    def add_service_errors(self, errors: list[dict]) -> None:
        for error in errors:
            name = error.get("field", "").removesuffix("_id")
            self.add_error(name if name in self.fields else None, error["message"])
