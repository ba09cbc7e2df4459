from ninja import Schema


class ErrorItem(Schema):
    field: str
    message: str


class ErrorOut(Schema):
    code: str
    detail: str
    errors: list[ErrorItem] = []
