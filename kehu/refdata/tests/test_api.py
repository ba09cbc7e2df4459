import pytest
from django.test import Client

from kehu.accounts import services

pytestmark = pytest.mark.django_db

REGIONS = "/api/v1/refdata/regions"
INDUSTRIES = "/api/v1/refdata/industries"


@pytest.fixture
def client():
    """Given a signed-in rep with no special role (any signed-in user may read reference data)."""
    user = services.user_create(username="li.na", password=None, actor=None)
    _token, key = services.token_issue(user=user)
    return Client(headers={"Authorization": f"Bearer {key}"})


def test_without_parent_lists_the_provinces(client):
    response = client.get(REGIONS)
    assert response.status_code == 200
    by_code = {r["code"]: r for r in response.json()}
    assert by_code["440000"] == {
        "code": "440000",
        "name": "广东省",
        "level": 1,
        "parent_code": None,
        "full_name": "广东省",
        "name_en": "Guangdong",
        "full_name_en": "Guangdong",
    }
    assert all(r["level"] == 1 for r in by_code.values())


def test_with_parent_lists_its_children(client):
    response = client.get(REGIONS, {"parent": "440300"})
    assert response.status_code == 200
    nanshan = next(r for r in response.json() if r["code"] == "440305")
    assert nanshan == {
        "code": "440305",
        "name": "南山区",
        "level": 3,
        "parent_code": "440300",
        "full_name": "广东省-深圳市-南山区",
        "name_en": "Nanshan District",
        "full_name_en": "Nanshan District, Shenzhen, Guangdong",
    }
    assert {r["parent_code"] for r in response.json()} == {"440300"}


def test_unknown_parent_is_404(client):
    response = client.get(REGIONS, {"parent": "999999"})
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_industries_without_section_are_the_20_sections(client):
    response = client.get(INDUSTRIES)
    assert response.status_code == 200
    assert [i["code"] for i in response.json()] == list("ABCDEFGHIJKLMNOPQRST")


def test_industries_of_a_section_are_its_divisions(client):
    response = client.get(INDUSTRIES, {"section": "C"})
    assert response.status_code == 200
    items = response.json()
    assert [i["code"] for i in items] == [str(n) for n in range(13, 44)]
    assert next(i for i in items if i["code"] == "35") == {
        "code": "35",
        "name": "专用设备制造业",
        "level": "division",
        "section_code": "C",
        "full_name": "制造业-专用设备制造业",
        "name_en": "Manufacture of Special Purpose Machinery",
        "full_name_en": "Manufacturing - Manufacture of Special Purpose Machinery",
    }


def test_unknown_section_is_404(client):
    assert client.get(INDUSTRIES, {"section": "Z"}).status_code == 404


@pytest.mark.parametrize("url", [REGIONS, INDUSTRIES])
def test_anonymous_gets_401(url):
    response = Client().get(url)
    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"
