"""The shortcuts list pages use for markup they repeat: record links and <option> lists."""

from django.template import engines
from django.urls import reverse

from kehu.core.links import record_url
from kehu.core.templatetags.kehu import select_options


def test_record_url_is_what_reverse_gives():
    for pk in (1, 42, 123456789):
        assert record_url("customers:detail", pk) == reverse("customers:detail", args=[pk])
    assert record_url("customers:edit", "7") == reverse("customers:edit", args=[7])


def test_select_options_marks_the_selected_value_and_escapes():
    html = select_options([(1, "张伟"), (2, "<b>李娜</b>")], 2, "全部")

    assert html == (
        '<option value="">全部</option>'
        '<option value="1">张伟</option>'
        '<option value="2" selected>&lt;b&gt;李娜&lt;/b&gt;</option>'
    )


def test_select_options_takes_several_selected_values_or_none():
    choices = [("potential", "潜在客户"), ("intent", "意向客户"), ("signed", "成交客户")]

    several = select_options(choices, ["intent", "signed"])
    none = select_options(choices, None)

    assert several.count(" selected") == 2 and 'value="potential">' in several
    assert " selected" not in none and '<option value="">' not in none


def test_select_options_in_a_template():
    template = engines["django"].from_string(
        '{% load kehu %}<select name="o">{% select_options owners chosen "全部" %}</select>'
    )

    html = template.render({"owners": [(3, "王芳")], "chosen": "3"})

    assert html == (
        '<select name="o"><option value="">全部</option>'
        '<option value="3" selected>王芳</option></select>'
    )
