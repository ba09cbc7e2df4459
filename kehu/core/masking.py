"""Masking of personal data shown to people without the reveal permission."""


def mask_phone(value: str | None) -> str:
    """13812341234 → 138****1234; landlines keep area code and last 2 digits."""
    if not value:
        return ""
    digits = value.replace("-", "").replace(" ", "")
    if len(digits) == 11 and digits.startswith("1"):
        return f"{digits[:3]}****{digits[-4:]}"
    if "-" in value:
        area, _, number = value.partition("-")
        return f"{area}-{'*' * max(len(number) - 2, 0)}{number[-2:]}"
    if len(value) <= 4:
        return "*" * len(value)
    return f"{value[:2]}{'*' * (len(value) - 4)}{value[-2:]}"


def mask_email(value: str | None) -> str:
    """li.lei@example.com → l***@example.com"""
    if not value:
        return ""
    local, at, domain = value.partition("@")
    if not at:
        return mask_phone(value)
    return f"{local[:1]}***@{domain}"
