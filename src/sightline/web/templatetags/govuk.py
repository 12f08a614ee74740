"""GOV.UK Frontend helpers for Django templates (the Nunjucks macros' counterparts).

``{% govuk_field form.name %}`` renders a field as the matching GOV.UK component (input, password
input, textarea, select, radios, checkboxes, date input) with its label, hint, error message and the
value the user submitted. ``{% govuk_error_summary form %}`` lists the errors, each linking to its
field. Options: ``label_size`` (s, m, l, xl), ``heading`` (label or legend is the page's h1),
``hint``, ``classes`` (extra input classes such as ``govuk-input--width-10``), ``inline`` radios.
"""

from __future__ import annotations

from typing import Any

from django import forms, template
from django.core.paginator import Page
from django.forms import BoundField
from django.http import QueryDict

from sightline.web.forms import GovukDateWidget

register = template.Library()


def field_kind(bound: BoundField) -> str:
    widget = bound.field.widget
    if isinstance(widget, GovukDateWidget):
        return "date"
    if isinstance(widget, forms.CheckboxSelectMultiple):
        return "checkboxes"
    if isinstance(widget, forms.RadioSelect):
        return "radios"
    if isinstance(widget, forms.Select):
        return "select"
    if isinstance(widget, forms.Textarea):
        return "textarea"
    if isinstance(widget, forms.CheckboxInput):
        return "checkbox"
    if isinstance(widget, forms.PasswordInput):
        return "password"
    if isinstance(widget, forms.HiddenInput):
        return "hidden"
    return "input"


@register.filter
def error_target(bound: BoundField) -> str:
    """The id the error summary links to: the field itself, or its first box or option."""
    kind = field_kind(bound)
    if kind in {"radios", "checkboxes", "date"}:
        return f"{bound.auto_id}_0"
    return str(bound.auto_id)


def _str(value: Any) -> str:
    return "" if value is None else str(value)


@register.inclusion_tag("web/includes/field.html")
def govuk_field(
    bound: BoundField,
    label_size: str = "",
    heading: bool = False,
    hint: str = "",
    classes: str = "",
    inline: bool = False,
    label: str = "",
) -> dict[str, Any]:
    kind = field_kind(bound)
    widget = bound.field.widget
    value = bound.value()
    attrs = {k: v for k, v in widget.attrs.items() if k not in {"class", "required"}}
    ctx: dict[str, Any] = {
        "field": bound,
        "kind": kind,
        "id": bound.auto_id,
        "name": bound.html_name,
        "label": label or bound.label,
        "label_size": label_size,
        "heading": heading,
        "hint": hint or bound.help_text,
        "errors": bound.errors,
        "classes": classes,
        "inline": inline,
        "attrs": attrs,
        "input_type": getattr(widget, "input_type", "text"),
    }
    describedby = []
    if ctx["hint"]:
        describedby.append(f"{bound.auto_id}-hint")
    if bound.errors:
        describedby.append(f"{bound.auto_id}-error")
    ctx["describedby"] = " ".join(describedby)
    choices: list[tuple[Any, str]] = list(getattr(bound.field, "choices", []))
    if kind in {"radios", "checkboxes"}:
        selected = {_str(v) for v in (value if isinstance(value, list | tuple) else [value])}
        ctx["options"] = [
            {"id": f"{bound.auto_id}_{i}", "value": _str(v), "label": lbl, "checked": _str(v) in selected}
            for i, (v, lbl) in enumerate(choices)
        ]
    elif kind == "select":
        ctx["options"] = [
            {"value": _str(v), "label": lbl, "selected": _str(v) == _str(value)} for v, lbl in choices
        ]
    elif kind == "checkbox":
        ctx["checked"] = bool(value)
    elif kind == "date":
        parts = value if isinstance(value, list | tuple) else widget.decompress(value)
        ctx["parts"] = [
            {
                "id": f"{bound.auto_id}_{i}",
                "name": f"{bound.html_name}_{i}",
                "label": label_,
                "value": _str(p),
                "width": 4 if i == 2 else 2,
            }
            for i, (label_, p) in enumerate(zip(("Day", "Month", "Year"), parts))
        ]
    elif kind == "password":
        ctx["value"] = ""  # never echo a password back
    else:
        ctx["value"] = _str(value)
    return ctx


@register.inclusion_tag("web/includes/error_summary.html")
def govuk_error_summary(*forms_: forms.BaseForm | None) -> dict[str, Any]:
    """The error summary for one or more forms: non-field errors first, then each field's."""
    items: list[dict[str, str]] = []
    for form in forms_:
        if form is None or not form.is_bound or not form.errors:
            continue
        for error in form.non_field_errors():
            items.append({"href": "", "text": str(error)})
        for bound in form:
            for error in bound.errors:
                items.append({"href": f"#{error_target(bound)}", "text": str(error)})
    return {"items": items}


@register.inclusion_tag("web/includes/pagination.html", takes_context=True)
def govuk_pagination(context: template.Context, page: Page[Any], param: str = "page") -> dict[str, Any]:
    """GOV.UK pagination for a Django ``Page``, keeping the rest of the query string."""
    request = context.get("request")
    query = request.GET.copy() if request is not None else QueryDict(mutable=True)

    def url(n: int) -> str:
        query[param] = str(n)
        return "?" + query.urlencode()

    numbers: list[int | None] = []
    last = page.paginator.num_pages
    for n in range(1, last + 1):
        if n in (1, last) or abs(n - page.number) <= 1:
            numbers.append(n)
        elif numbers and numbers[-1] is not None:
            numbers.append(None)  # ellipsis
    return {
        "page": page,
        "items": [{"number": n, "url": url(n) if n else "", "current": n == page.number} for n in numbers],
        "prev_url": url(page.previous_page_number()) if page.has_previous() else "",
        "next_url": url(page.next_page_number()) if page.has_next() else "",
        "show": last > 1,
    }
