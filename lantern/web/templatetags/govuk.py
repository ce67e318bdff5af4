"""Template helpers that give Django widgets the GOV.UK classes and ARIA links."""

from django import forms, template
from django.forms.boundfield import BoundField
from django.utils.safestring import SafeString

register = template.Library()

WIDGET_CLASSES: dict[type, str] = {
    forms.Textarea: "govuk-textarea",
    forms.Select: "govuk-select",
    forms.CheckboxInput: "govuk-checkboxes__input",
    forms.FileInput: "govuk-file-upload",
}


@register.simple_tag
def govuk_widget(field: BoundField) -> SafeString:
    """Render a field's widget with GOV.UK classes, error state and aria-describedby."""
    widget = field.field.widget
    base = next((css for kind, css in WIDGET_CLASSES.items() if isinstance(widget, kind)), "govuk-input")
    classes = [base, widget.attrs.get("class", "")]
    if field.errors:
        classes.append(f"{base}--error")
    described_by = [f"{field.auto_id}-hint"] if field.help_text else []
    described_by += [f"{field.auto_id}-error"] if field.errors else []
    attrs: dict[str, str | bool] = {"class": " ".join(c for c in classes if c)}
    if described_by:
        attrs["aria-describedby"] = " ".join(described_by)
    if isinstance(widget, forms.PasswordInput):
        attrs["autocomplete"] = "current-password"
    return field.as_widget(attrs=attrs)
