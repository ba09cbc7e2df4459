from ninja import Schema
from pydantic import BaseModel


class Out(BaseModel):
    """Base of response schemas whose handlers return plain dicts (built by an app's
    present.py). pydantic validates those itself; ninja's Schema reads every value through a
    wrapper meant for model instances, which cost 7 ms for a page of 50 customers against
    0.4 ms this way. A handler that returns model instances keeps ninja's Schema."""


class ErrorItem(Schema):
    field: str
    message: str


class ErrorOut(Schema):
    code: str
    detail: str
    errors: list[ErrorItem] = []
