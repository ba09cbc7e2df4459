"""The settings of notifications and attachments are read like every other: a value that
cannot be understood stops the process naming the variable."""

import pytest

from kehu.core.tests.test_settings import import_settings


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("KEHU_SITE_URL", "crm.example.com"),
        ("KEHU_FILES_STORAGE_OPTIONS", "{bucket: kehu}"),
        ("KEHU_UPLOAD_MAX_MB", "0"),
    ],
)
def test_a_bad_value_names_its_variable(tmp_path, variable, value):
    env = {variable: value}
    if variable == "KEHU_FILES_STORAGE_OPTIONS":
        env["KEHU_FILES_STORAGE"] = "storages.backends.s3.S3Storage"
    result = import_settings(tmp_path, **env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and variable in result.stderr


def test_attachments_are_kept_under_the_data_directory_by_default(tmp_path):
    result = import_settings(tmp_path, "s.STORAGES['attachments']")
    assert f"'location': PosixPath('{tmp_path}/files')" in result.stdout
    assert "'base_url': None" in result.stdout


def test_another_storage_takes_its_options_from_json(tmp_path):
    result = import_settings(
        tmp_path,
        "s.STORAGES['attachments']",
        KEHU_FILES_STORAGE="storages.backends.s3.S3Storage",
        KEHU_FILES_STORAGE_OPTIONS='{"bucket_name": "kehu"}',
    )
    assert result.stdout.strip() == (
        "{'BACKEND': 'storages.backends.s3.S3Storage', 'OPTIONS': {'bucket_name': 'kehu'}}"
    )
