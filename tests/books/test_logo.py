"""The company's logo: any common image becomes a small PNG kept with the books; anything else
is refused with one sentence, and a logo altered in a backup only fails to show."""

import base64
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from partida.books.logo import LOGO_BOX, logo_from_upload, logo_png


def image_file(size=(2400, 1200), fmt="JPEG", name="logo.jpg") -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, format=fmt)
    return SimpleUploadedFile(name, out.getvalue())


def test_a_large_photo_becomes_a_small_png_without_its_metadata():
    kept = logo_from_upload(image_file())
    png = logo_png(kept)
    with Image.open(io.BytesIO(png)) as image:
        assert image.format == "PNG"
        assert image.size == LOGO_BOX  # 2:1 scaled to fit 800×400
        assert not image.info.get("exif")


@pytest.mark.parametrize(
    "content", [b"%PDF-1.4 not an image", b"", b"\x89PNG\r\n\x1a\n" + b"\0" * 40]
)
def test_a_file_that_is_no_image_is_refused_in_one_sentence(content):
    with pytest.raises(ValidationError) as refused:
        logo_from_upload(SimpleUploadedFile("logo.png", content))
    assert refused.value.messages == [
        "This file is not an image Partida can use. Choose a PNG, JPEG, GIF or WebP file."
    ]


def test_a_huge_picture_is_refused_before_it_is_decoded():
    out = io.BytesIO()
    Image.new("1", (20_000, 20_000)).save(out, format="PNG")  # 400 megapixels, a few KB
    with pytest.raises(ValidationError, match="not an image Partida can use"):
        logo_from_upload(SimpleUploadedFile("bomb.png", out.getvalue()))


def test_a_logo_altered_in_a_backup_only_fails_to_show():
    assert logo_png("") is None
    assert logo_png("not base64!") is None
    assert logo_png(base64.b64encode(b"GIF89a garbage").decode()) is None


def test_a_logo_chosen_in_the_company_details_shows_on_its_invoices_and_can_be_removed(client, db):
    import datetime
    from decimal import Decimal

    from django.urls import reverse
    from pypdf import PdfReader

    from partida.books import actions
    from partida.books import models as m
    from partida.books.invoice_pdf import invoice_pdf

    company = actions.do_create_company("Logotipos S.L.", "EUR", "es")
    url = reverse("books:company_edit", kwargs={"company_id": company.pk})
    response = client.post(url, {"name": company.name, "logo_file": image_file()})
    assert response.status_code == 302
    company.refresh_from_db()
    assert logo_png(company.logo) is not None
    assert "data:image/png;base64," in client.get(url).content.decode()

    customer = actions.do_save_record(company, m.Customer(name="Ana"))
    invoice = actions.do_save_transaction(
        company,
        m.SalesInvoice(customer=customer, date=datetime.date(2026, 5, 1)),
        [
            m.SalesInvoiceLine(
                account=m.Account.objects.get(company=company, code="700"),
                quantity=Decimal("1"),
                unit_price=Decimal("10"),
            )
        ],
    )
    page = PdfReader(io.BytesIO(invoice_pdf(invoice))).pages[0]
    assert len(page.images) == 1

    client.post(url, {"name": company.name, "remove_logo": "on"})
    company.refresh_from_db()
    assert company.logo == ""
    assert len(PdfReader(io.BytesIO(invoice_pdf(invoice))).pages[0].images) == 0


def test_a_file_that_is_no_image_comes_back_with_the_sentence_and_keeps_the_old_logo(client, db):
    from django.urls import reverse

    from partida.books import actions

    company = actions.do_create_company("Logotipos S.L.", "EUR", "es")
    actions.do_update_company(company, logo=logo_from_upload(image_file()))
    kept = company.logo
    url = reverse("books:company_edit", kwargs={"company_id": company.pk})
    response = client.post(
        url,
        {"name": "Otro nombre", "logo_file": SimpleUploadedFile("x.png", b"no")},
        HTTP_ACCEPT_LANGUAGE="es",
    )
    assert response.status_code == 200
    company.refresh_from_db()
    assert (company.name, company.logo) == ("Logotipos S.L.", kept)
