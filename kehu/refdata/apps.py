from django.apps import AppConfig


class RefdataConfig(AppConfig):
    """National reference data: administrative divisions (GB/T 2260) and industries (GB/T 4754)."""

    name = "kehu.refdata"
    label = "refdata"
    verbose_name = "基础数据"
