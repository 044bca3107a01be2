"""Forms of the request pages: intake, and the fields each state change needs."""

from django import forms
from django.utils.translation import gettext_lazy as _

from lifecircle.store.org.models import Party
from lifecircle.store.requests.models import Channel
from lifecircle.web.pages.common import choices, zh_en

STAFF_CHANNELS = [Channel.COUNTER, Channel.PHONE, Channel.STAFF]


class PageForm(forms.Form):
    """Labels stand above their fields: no trailing colon."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class IntakeForm(PageForm):
    station = forms.TypedChoiceField(label=_("Station"), coerce=int)
    service = forms.ChoiceField(label=_("Category"))
    channel = forms.ChoiceField(label=_("Channel"))
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 4}), max_length=2000
    )
    address = forms.CharField(label=_("Place"), required=False, max_length=200)
    lat = forms.FloatField(required=False, min_value=-90, max_value=90, widget=forms.HiddenInput)
    lon = forms.FloatField(required=False, min_value=-180, max_value=180, widget=forms.HiddenInput)
    contact_name = forms.CharField(label=_("Contact name"), required=False, max_length=100)
    phone = forms.CharField(label=_("Phone"), required=False, max_length=32)
    photo = forms.FileField(
        label=_("Photo (optional)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    public = forms.BooleanField(
        label=_("Publish it in the public list (without name or phone)"), required=False
    )
    resident = forms.CharField(
        label=_("Resident's account (optional)"),
        required=False,
        max_length=150,
        help_text=_("Links the request to the resident, who can then follow and rate it."),
    )

    def __init__(self, *args, stations, categories, staff: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["station"].choices = [(s.pk, s.name) for s in stations]
        self.fields["service"].choices = [
            (c.code, zh_en(f"{c.name_zh} {c.name_en}")) for c in categories
        ]
        if staff:
            self.fields["channel"].choices = choices((c.value, c.label) for c in STAFF_CHANNELS)
            del self.fields["public"]  # counter, phone and staff filings stay private
        else:
            self.fields["channel"].choices = choices([(Channel.RESIDENT, Channel.RESIDENT.label)])
            del self.fields["resident"]


class AssignForm(PageForm):
    version = forms.IntegerField(widget=forms.HiddenInput)
    party = forms.ChoiceField(label=_("Party"), choices=lambda: choices(Party.choices))
    assignee = forms.TypedChoiceField(
        label=_("Person (optional)"), coerce=int, required=False, empty_value=None
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=500)


class NoteForm(PageForm):
    version = forms.IntegerField(widget=forms.HiddenInput)
    note = forms.CharField(label=_("Note"), required=False, max_length=500)


class ResolveForm(PageForm):
    version = forms.IntegerField(widget=forms.HiddenInput)
    resolution = forms.CharField(
        label=_("Resolution"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class RejectForm(PageForm):
    version = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(label=_("Reason"), max_length=1000)


class RateForm(PageForm):
    version = forms.IntegerField(widget=forms.HiddenInput)
    rating = forms.TypedChoiceField(
        label=_("Rating"),
        coerce=int,
        choices=[(5, "5 ★★★★★"), (4, "4 ★★★★"), (3, "3 ★★★"), (2, "2 ★★"), (1, "1 ★")],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(label=_("Comment"), required=False, max_length=500)
