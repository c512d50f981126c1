"""The form of the Close the year screen."""

from django import forms
from django.utils.translation import gettext_lazy

from partida.books import models as m
from partida.books.closing import years_with_movements


class CloseYearForm(forms.Form):
    """Which year to close: one with movements, this year, or the suggested one."""

    year = forms.TypedChoiceField(
        label=gettext_lazy("Year"),
        coerce=int,
        help_text=gettext_lazy(
            "The fiscal year is the calendar year: from 1 January to 31 December."
        ),
    )

    def __init__(self, *args, company: m.Company, suggested: int, this_year: int, **kwargs):
        super().__init__(*args, **kwargs)
        years = sorted({this_year, suggested, *years_with_movements(company)}, reverse=True)
        self.fields["year"].choices = [(year, str(year)) for year in years]
        self.fields["year"].initial = suggested
