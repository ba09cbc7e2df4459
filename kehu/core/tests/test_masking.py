"""Personal data shown masked: enough to recognise a number, not enough to call it."""

import pytest

from kehu.core.masking import mask_email, mask_phone


@pytest.mark.parametrize(
    ("raw", "masked"),
    [
        ("13812341234", "138****1234"),
        ("138 1234 1234", "138****1234"),
        ("138-1234-1234", "138****1234"),
        ("010-12345678", "010-******78"),
        ("0755-8888666", "0755-*****66"),
        ("400123456", "40*****56"),
        ("1234", "****"),
        ("12", "**"),
    ],
)
def test_phone_is_masked(raw, masked):
    assert mask_phone(raw) == masked


@pytest.mark.parametrize("empty", [None, ""])
def test_empty_phone_stays_empty(empty):
    assert mask_phone(empty) == ""


@pytest.mark.parametrize(
    "raw", ["13812341234", "010-12345678", "400123456", "li.lei@example.com", "wang@163.com"]
)
def test_masked_value_never_contains_the_whole_value(raw):
    masked = mask_email(raw) if "@" in raw else mask_phone(raw)

    assert masked != raw
    assert "*" in masked


@pytest.mark.parametrize(
    ("raw", "masked"),
    [
        ("li.lei@example.com", "l***@example.com"),
        ("a@b.cn", "a***@b.cn"),
        ("王芳@公司.中国", "王***@公司.中国"),
    ],
)
def test_email_keeps_first_letter_and_domain(raw, masked):
    assert mask_email(raw) == masked


def test_email_without_at_is_masked_like_a_number():
    assert mask_email("13812341234") == "138****1234"


@pytest.mark.parametrize("empty", [None, ""])
def test_empty_email_stays_empty(empty):
    assert mask_email(empty) == ""
