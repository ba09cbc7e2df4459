from ninja import Schema


class RegionOut(Schema):
    code: str
    name: str
    level: int
    parent_code: str | None
    full_name: str
    name_en: str
    full_name_en: str

    @staticmethod
    def resolve_parent_code(obj) -> str | None:
        return obj.parent_id


class IndustryOut(Schema):
    code: str
    name: str
    level: str
    section_code: str | None
    full_name: str
    name_en: str
    full_name_en: str

    @staticmethod
    def resolve_section_code(obj) -> str | None:
        return obj.section_id
