from django.apps import AppConfig


class FilesConfig(AppConfig):
    name = "kehu.files"
    label = "files"
    verbose_name = "附件"
