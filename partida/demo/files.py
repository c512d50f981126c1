"""Real files for the demo company's attachments: PDF invoices and scanned receipts.

Every file is made from a ``random.Random``, so a seed gives the same bytes (and SHA-256) every
time. Scans carry a little noise, like paper under a scanner, so they do not compress to nothing:
a demo backup is as heavy as a real one. Files come from a pool of distinct files that the
generator attaches again and again, so a large company gets its gigabyte in about a minute; a file
attached twice is stored once, by its SHA-256.
"""

import datetime
import io
import math
import multiprocessing
import os
import random
import shutil
import tempfile
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass

from fpdf import FPDF
from PIL import Image, ImageChops, ImageDraw, ImageFont

from partida.demo import names

KB = 1024

# Target sizes, drawn log-uniformly: most files are small, a few are large.
PDF_SIZES = (20 * KB, 150 * KB)
SCAN_SIZES = (30 * KB, 300 * KB)

# Bytes per pixel of a scan with this much noise (measured with Pillow): to size the image.
JPEG_NOISE_BITS, JPEG_BYTES_PER_PIXEL = 6, 0.36
PNG_NOISE_BITS, PNG_BYTES_PER_PIXEL = 2, 0.45

FIXED_DATE = datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC)
_FONT = ImageFont.load_default_imagefont()
_NOISE_TABLES = {bits: [v % (1 << bits) for v in range(256)] for bits in (2, 6)}


@dataclass(frozen=True)
class DemoFile:
    sha256: str
    size: int
    content_type: str
    extension: str


def _target(rng: random.Random, low_high: tuple[int, int]) -> int:
    low, high = low_high
    return int(math.exp(rng.uniform(math.log(low), math.log(high))))


def _scan_image(rng: random.Random, width: int, height: int, bits: int) -> Image.Image:
    """A grey till receipt: a few lines of text on paper, with scanner noise.

    The text is drawn small with Pillow's bitmap font and scaled up: drawing it at full size
    with a vector font would take most of the time it takes to make a large demo company.
    """
    scale = max(1, width // 240)
    small = (max(1, width // scale), max(1, height // scale))
    paper = Image.new("L", small, 238)
    draw = ImageDraw.Draw(paper)
    font = _FONT
    step = 14
    y = step
    shop = f"{rng.choice(names.BUSINESS_TRADES)} {rng.choice(names.BUSINESS_NAMES)}"
    draw.text((step, y), _latin1(shop.upper()), fill=25, font=font)
    y += 2 * step
    total = 0.0
    while y < small[1] - 4 * step:
        price = rng.uniform(0.5, 60)
        total += price
        item = rng.choice(["Articulo", "Servicio", "Cafe", "Menu", "Gasolina", "Papel", "Varios"])
        draw.text((step, y), f"{item:<16} {price:>8.2f}", fill=30, font=font)
        y += step
    draw.text((step, y + step), f"TOTAL EUR {total:>10.2f}", fill=10, font=font)
    if scale > 1:
        paper = paper.resize((width, height), Image.Resampling.BILINEAR)
    noise = Image.frombytes("L", (width, height), rng.randbytes(width * height))
    return ImageChops.subtract(paper, noise.point(_NOISE_TABLES[bits]))


def _size_for(target: int, bytes_per_pixel: float, aspect: float) -> tuple[int, int]:
    pixels = target / bytes_per_pixel
    width = max(160, int(math.sqrt(pixels / aspect)))
    return width, max(160, int(pixels / width))


def receipt_scan(rng: random.Random, extension: str) -> bytes:
    """A scanned receipt as JPEG (``jpg``) or PNG (``png``), of about 30–300 KB."""
    target = _target(rng, SCAN_SIZES)
    aspect = rng.choice([1.41, 2.2, 2.8])  # a page, or a long till receipt
    output = io.BytesIO()
    if extension == "png":
        image = _scan_image(rng, *_size_for(target, PNG_BYTES_PER_PIXEL, aspect), PNG_NOISE_BITS)
        image.save(output, "PNG", compress_level=1)
    else:
        bits = JPEG_NOISE_BITS
        image = _scan_image(rng, *_size_for(target, JPEG_BYTES_PER_PIXEL, aspect), bits)
        image.save(output, "JPEG", quality=80)
    return output.getvalue()


def _latin1(text: str) -> str:
    """The PDF core fonts speak Latin-1: keep accents, drop anything else."""
    return text.encode("latin-1", "replace").decode("latin-1")


def invoice_pdf(rng: random.Random) -> bytes:
    """An invoice as a PDF of about 20–150 KB, with a scanned letterhead to give it weight."""
    target = _target(rng, PDF_SIZES)
    number = f"F2025-{rng.randrange(1, 100000):05d}"
    customer = names.customer(rng, set())
    day = datetime.date(2025, 1, 1) + datetime.timedelta(days=rng.randrange(365))

    pdf = FPDF(format="A4")
    pdf.set_creation_date(FIXED_DATE)
    pdf.set_title(_latin1(f"Factura {number}"))
    pdf.add_page()
    letterhead_budget = max(2 * KB, target - 4 * KB)
    scan = io.BytesIO()
    width, height = _size_for(letterhead_budget, JPEG_BYTES_PER_PIXEL, 0.35)
    _scan_image(rng, width, height, JPEG_NOISE_BITS).save(scan, "JPEG", quality=80)
    pdf.image(scan, x=10, y=10, w=190, h=190 * height / width)
    pdf.set_y(20 + 190 * height / width)
    pdf.set_font("helvetica", "B", 18)
    pdf.cell(0, 10, _latin1(f"FACTURA {number}"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("helvetica", size=10)
    pdf.cell(0, 6, f"Fecha: {day:%d/%m/%Y}", new_x="LMARGIN", new_y="NEXT")
    pdf.cell(0, 6, _latin1(f"Cliente: {customer['name']} ({customer['tax_id']})"))
    pdf.ln(6)
    pdf.multi_cell(0, 5, _latin1(customer["address"]), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    base = 0.0
    pdf.set_font("helvetica", "B", 10)
    pdf.cell(110, 7, "Concepto", border="B")
    pdf.cell(25, 7, "Cantidad", border="B", align="R")
    pdf.cell(25, 7, "Precio", border="B", align="R")
    pdf.cell(30, 7, "Importe", border="B", align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("helvetica", size=10)
    for _ in range(rng.randrange(1, 6)):
        product, _account, low, high, unit, _rate = rng.choice(names.PRODUCTS)
        quantity = rng.randrange(1, 20)
        price = round(rng.uniform(low, high), 2)
        base += quantity * price
        pdf.cell(110, 7, _latin1(f"{product} ({unit})"))
        pdf.cell(25, 7, str(quantity), align="R")
        pdf.cell(25, 7, f"{price:.2f}", align="R")
        pdf.cell(30, 7, f"{quantity * price:.2f}", align="R", new_x="LMARGIN", new_y="NEXT")
    tax = round(base * 0.21, 2)
    for label, amount in (("Base imponible", base), ("IVA 21%", tax), ("Total EUR", base + tax)):
        pdf.cell(160, 7, label, align="R")
        pdf.cell(30, 7, f"{amount:.2f}", align="R", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


CONTENT_TYPES = {"pdf": "application/pdf", "jpg": "image/jpeg", "png": "image/png"}


def make_file(seed: int, kind: str, index: int) -> tuple[str, bytes]:
    """The ``index``-th distinct file of a kind, as (extension, bytes): the same for a seed."""
    rng = random.Random(f"partida-demo-file:{seed}:{kind}:{index}")
    if kind == "invoice":
        return "pdf", invoice_pdf(rng)
    extension = "png" if rng.random() < 0.3 else "jpg"
    return extension, receipt_scan(rng, extension)


def write_file(folder: str, seed: int, kind: str, index: int) -> tuple[str, str]:
    """``make_file`` into a file in ``folder``, for a helper process: (extension, path)."""
    extension, data = make_file(seed, kind, index)
    path = os.path.join(folder, f"{kind}-{index}.{extension}")
    with open(path, "wb") as handle:
        handle.write(data)
    return extension, path


class FilePool:
    """Distinct demo files, made on demand up to a number per kind, then handed out again.

    ``kind`` is ``invoice`` (PDF) or ``scan`` (JPEG or PNG). ``store`` takes a binary file and
    returns ``(sha256, size, created)``; the ``created`` SHA-256s are kept so that a failed demo
    can remove the files it added. With ``background``, a helper process makes the files while
    the books are written, on the machine's other core; each file comes from its own seeded
    generator, so the bytes are the same either way. Call ``close`` when done.
    """

    def __init__(self, seed: int, distinct: dict[str, int], store, background: bool = False):
        self.seed = seed
        self.rng = random.Random(f"partida-demo-files:{seed}")  # which file to attach again
        self.distinct = distinct
        self.store = store
        self.files: dict[str, list[DemoFile]] = {"invoice": [], "scan": []}
        self.created: list[str] = []
        self.stored_bytes = 0
        self.futures: dict[tuple[str, int], Future] = {}
        self.executor = None
        self.folder = None
        if background:
            self.folder = tempfile.mkdtemp(prefix="partida-demo-files-")
            self.executor = ProcessPoolExecutor(
                max_workers=1, mp_context=multiprocessing.get_context("spawn")
            )
            for kind, count in distinct.items():
                for index in range(count):
                    self.futures[kind, index] = self.executor.submit(
                        write_file, self.folder, seed, kind, index
                    )

    def take(self, kind: str) -> DemoFile:
        pool = self.files[kind]
        if pool and len(pool) >= self.distinct.get(kind, 0):
            return self.rng.choice(pool)
        future = self.futures.pop((kind, len(pool)), None)
        if future is not None:
            extension, path = future.result()
            with open(path, "rb") as handle:
                sha256, size, created = self.store(handle)
            os.unlink(path)
        else:
            extension, data = make_file(self.seed, kind, len(pool))
            sha256, size, created = self.store(io.BytesIO(data))
        if created:
            self.created.append(sha256)
            self.stored_bytes += size
        demo_file = DemoFile(sha256, size, CONTENT_TYPES[extension], extension)
        pool.append(demo_file)
        return demo_file

    def close(self) -> None:
        """Stop the helper process and remove the files it made and nobody took."""
        if self.executor is not None:
            self.executor.shutdown(wait=True, cancel_futures=True)
            self.executor = None
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder = None
