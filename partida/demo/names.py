"""Plausible names for the demo company: businesses, people, addresses, tax IDs, products.

Pure Python: every function takes the ``random.Random`` to draw from, so a seed gives the same
names every time. The businesses are invented; any likeness to a real one is chance.
"""

import random
import unicodedata

BUSINESS_TRADES = [
    "Talleres",
    "Distribuciones",
    "Construcciones",
    "Consultoría",
    "Transportes",
    "Panadería",
    "Hostal",
    "Ferretería",
    "Gráficas",
    "Climatización",
    "Asesoría",
    "Frutas",
    "Muebles",
    "Electricidad",
    "Reformas",
    "Limpiezas",
    "Bodegas",
    "Librería",
    "Clínica Dental",
    "Estudio de Arquitectura",
    "Carpintería",
    "Restaurante",
    "Farmacia",
    "Autoescuela",
    "Inmobiliaria",
    "Óptica",
    "Imprenta",
    "Academia",
    "Cerrajería",
    "Viveros",
]

BUSINESS_NAMES = [
    "García",
    "Martínez",
    "López",
    "Hermanos Ruiz",
    "del Sur",
    "Levante",
    "Montes",
    "Arroyo",
    "Navarro",
    "Costa Brava",
    "Guadalquivir",
    "San Isidro",
    "La Esperanza",
    "El Olivar",
    "Romero e Hijos",
    "Iberia",
    "Cantábrico",
    "Sierra Nevada",
    "Los Pinos",
    "Marina",
    "Peña",
    "Castillo",
    "Ortega",
    "Rubio",
    "Vidal",
    "Mediterránea",
    "Atlántica",
    "Moncayo",
    "La Giralda",
    "Santa Ana",
]

BUSINESS_SUFFIXES = ["S.L.", "S.L.", "S.L.", "S.A.", "S.L.U.", "S.Coop.", "C.B."]

ENGLISH_BUSINESSES = [
    "Harbour Trading Ltd",
    "Bluebell Design Ltd",
    "Northwind Logistics Ltd",
    "Oakridge Software Ltd",
    "Kingsway Foods plc",
    "Riverside Studio LLP",
    "Greenfield Supplies Ltd",
    "Silverline Media Ltd",
    "Brightwater Hotels Ltd",
    "Redbrick Consulting Ltd",
]

FIRST_NAMES = [
    "María",
    "Carmen",
    "Ana",
    "Laura",
    "Lucía",
    "Elena",
    "Marta",
    "Pilar",
    "Isabel",
    "Cristina",
    "Antonio",
    "José",
    "Manuel",
    "Francisco",
    "David",
    "Javier",
    "Jordi",
    "Carlos",
    "Miguel",
    "Pablo",
]

SURNAMES = [
    "García",
    "Fernández",
    "González",
    "Rodríguez",
    "López",
    "Martínez",
    "Sánchez",
    "Pérez",
    "Gómez",
    "Martín",
    "Jiménez",
    "Ruiz",
    "Hernández",
    "Díaz",
    "Moreno",
    "Muñoz",
    "Álvarez",
    "Romero",
    "Navarro",
    "Torres",
    "Domínguez",
    "Vázquez",
    "Ramos",
    "Gil",
    "Serrano",
    "Puig",
    "Etxeberria",
    "Castro",
]

# (city, first two digits of its postal codes)
CITIES = [
    ("Madrid", "28"),
    ("Barcelona", "08"),
    ("Valencia", "46"),
    ("Sevilla", "41"),
    ("Zaragoza", "50"),
    ("Bilbao", "48"),
    ("Málaga", "29"),
    ("Valladolid", "47"),
    ("A Coruña", "15"),
    ("Granada", "18"),
    ("Murcia", "30"),
    ("Palma", "07"),
    ("Alicante", "03"),
    ("Pamplona", "31"),
    ("Oviedo", "33"),
    ("Salamanca", "37"),
]

STREETS = [
    "Calle Mayor",
    "Avenida de la Constitución",
    "Calle del Carmen",
    "Paseo de la Castellana",
    "Calle Real",
    "Plaza de España",
    "Calle San Vicente",
    "Avenida de América",
    "Calle de Alcalá",
    "Ronda de Poniente",
    "Calle Sol",
    "Camino de los Molinos",
    "Polígono Industrial Las Arenas, nave",
]

PROFESSIONALS = "Servicios profesionales"

# What a supplier sells, and typical line items with the expense account each is booked to and
# the IVA rate it carries (insurance is exempt, water pays the reduced rate):
# (category, [(description, low unit price, high unit price, account code, IVA %)])
SUPPLIER_CATEGORIES = [
    (
        "Compras",
        [
            ("Mercaderías", 20, 400, "600", 21),
            ("Materias primas", 15, 250, "600", 21),
            ("Embalajes", 2, 30, "600", 21),
            ("Portes", 10, 80, "624", 21),
        ],
    ),
    (
        "Suministros",
        [
            ("Electricidad", 80, 600, "628", 21),
            ("Agua", 20, 120, "628", 10),
            ("Telefonía e internet", 30, 150, "628", 21),
            ("Gas natural", 40, 300, "628", 21),
        ],
    ),
    (
        "Material de oficina",
        [
            ("Papel A4 (caja)", 18, 35, "629", 21),
            ("Tóner impresora", 45, 140, "629", 21),
            ("Material de escritorio", 5, 60, "629", 21),
            ("Sillas de oficina", 90, 260, "629", 21),
        ],
    ),
    (
        "Otros gastos",
        [
            ("Mantenimiento", 40, 400, "622", 21),
            ("Seguro", 120, 900, "625", 0),
            ("Publicidad", 60, 800, "627", 21),
            ("Limpieza del local", 60, 300, "622", 21),
        ],
    ),
    # Professionals (autónomos) invoice with IVA, and the company withholds IRPF from the base.
    (
        "Servicios profesionales",
        [
            ("Asesoría fiscal y contable", 90, 350, "623", 21),
            ("Servicios jurídicos", 150, 900, "623", 21),
            ("Traducción", 40, 400, "623", 21),
            ("Fotografía de producto", 80, 500, "623", 21),
        ],
    ),
]

SUPPLIER_TRADES = {
    "Compras": ["Distribuciones", "Frutas", "Bodegas", "Muebles", "Viveros"],
    "Suministros": ["Eléctrica", "Aguas", "Telecomunicaciones", "Gas"],
    "Material de oficina": ["Papelería", "Suministros de Oficina", "Informática"],
    "Otros gastos": ["Seguros", "Publicidad", "Limpiezas", "Mantenimientos"],
}

# What the demo company sells: (description, income account code, low price, high price, unit,
# IVA %). Most pays the general 21 %; books the super-reduced 4 %, meals the reduced 10 %.
PRODUCTS = [
    ("Consultoría", "705", 45, 95, "horas", 21),
    ("Desarrollo a medida", "705", 40, 80, "horas", 21),
    ("Diseño gráfico", "705", 35, 70, "horas", 21),
    ("Formación", "705", 300, 1200, "sesiones", 21),
    ("Mantenimiento mensual", "705", 90, 450, "meses", 21),
    ("Licencia de software", "700", 120, 900, "licencias", 21),
    ("Equipo informático", "700", 350, 1800, "unidades", 21),
    ("Accesorios", "700", 8, 90, "unidades", 21),
    ("Instalación", "705", 60, 400, "servicios", 21),
    ("Manual técnico impreso", "700", 15, 60, "ejemplares", 4),
    ("Comida de la jornada de formación", "705", 12, 35, "menús", 10),
]

TEAM = [
    ("María García", "maria"),
    ("Jordi Puig", "jordi"),
    ("Laura Sánchez", "laura"),
    ("David Smith", "david"),
]

MONTHS = [
    "enero",
    "febrero",
    "marzo",
    "abril",
    "mayo",
    "junio",
    "julio",
    "agosto",
    "septiembre",
    "octubre",
    "noviembre",
    "diciembre",
]

CIF_LETTERS = {"S.L.": "B", "S.L.U.": "B", "S.A.": "A", "S.Coop.": "F", "C.B.": "E"}
NIF_LETTERS = "TRWAGMYFPDXBNJZSQVHLCKE"


def slug(text: str) -> str:
    """``Ferretería Núñez S.L.`` -> ``ferreteria-nunez-sl``: for made-up email domains."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = "".join(c if c.isalnum() else " " for c in ascii_text.lower().replace(".", ""))
    return "-".join(words.split()) or "empresa"


def cif(rng: random.Random, letter: str) -> str:
    """A Spanish company tax ID (CIF) with a correct control digit."""
    digits = f"{rng.randrange(10**7):07d}"
    total = 0
    for position, char in enumerate(digits):
        value = int(char)
        if position % 2 == 0:  # odd positions, counting from one, are doubled
            value = sum(divmod(value * 2, 10))
        total += value
    control = (10 - total % 10) % 10
    return f"{letter}{digits}{control}"


def nif(rng: random.Random) -> str:
    """A Spanish personal tax ID (NIF) with its correct letter."""
    number = rng.randrange(10**7, 10**8)
    return f"{number}{NIF_LETTERS[number % 23]}"


def person_name(rng: random.Random) -> str:
    return f"{rng.choice(FIRST_NAMES)} {rng.choice(SURNAMES)} {rng.choice(SURNAMES)}"


#: The province of each city above, by the first two digits of its postal codes.
PROVINCES = {
    "28": "Madrid",
    "08": "Barcelona",
    "46": "Valencia",
    "41": "Sevilla",
    "50": "Zaragoza",
    "48": "Bizkaia",
    "29": "Málaga",
    "47": "Valladolid",
    "15": "A Coruña",
    "18": "Granada",
    "30": "Murcia",
    "07": "Illes Balears",
    "03": "Alicante",
    "31": "Navarra",
    "33": "Asturias",
    "37": "Salamanca",
}


def company_details(rng: random.Random, name: str, domain: str) -> dict:
    """A demo company's details as its invoices show them: a limited company in Spain."""
    city, province = rng.choice(CITIES)
    legal_name = name if name.rstrip(".").upper().endswith(("S.L", "S.A")) else f"{name}, S.L."
    return {
        "legal_name": legal_name,
        "tax_id": cif(rng, "B"),
        "street": f"{rng.choice(STREETS)}, {rng.randrange(1, 180)}",
        "postcode": f"{province}{rng.randrange(1, 1000):03d}",
        "city": city,
        "province": PROVINCES[province],
        "country": "España",
        "email": f"administracion@{domain}",
        "phone": f"+34 9{rng.randrange(10, 100)} {rng.randrange(1000):03d} "
        f"{rng.randrange(1000):03d}",
        "payment_terms_days": 30,
    }


def address(rng: random.Random) -> str:
    city, province = rng.choice(CITIES)
    postal_code = f"{province}{rng.randrange(1, 1000):03d}"
    return f"{rng.choice(STREETS)}, {rng.randrange(1, 180)}\n{postal_code} {city}"


def unique(rng: random.Random, taken: set[str], make) -> str:
    """A name ``make(rng)`` has not given before; a number tells apart the rare repeat."""
    name = make(rng)
    number = 2
    base = name
    while name in taken:
        name = f"{base} ({number})"
        number += 1
    taken.add(name)
    return name


def customer(rng: random.Random, taken: set[str]) -> dict[str, str]:
    """A customer: mostly Spanish businesses, some freelancers, a few from abroad."""
    roll = rng.random()
    if roll < 0.7:
        suffix = rng.choice(BUSINESS_SUFFIXES)
        name = unique(
            rng,
            taken,
            lambda r: f"{r.choice(BUSINESS_TRADES)} {r.choice(BUSINESS_NAMES)} {suffix}",
        )
        tax_id = cif(rng, CIF_LETTERS[suffix])
    elif roll < 0.92:
        name = unique(rng, taken, person_name)
        tax_id = nif(rng)
    else:
        name = unique(rng, taken, lambda r: r.choice(ENGLISH_BUSINESSES))
        tax_id = f"GB{rng.randrange(10**8, 10**9)}"
    mailbox = rng.choice(["info", "administracion", "contabilidad", "facturas", "hola"])
    email = f"{mailbox}@{slug(name)}.{'com' if tax_id.startswith('GB') else 'es'}"
    return {"name": name, "email": email, "tax_id": tax_id, "address": address(rng)}


def supplier(rng: random.Random, taken: set[str], category: str) -> dict[str, str]:
    suffix = rng.choice(BUSINESS_SUFFIXES)
    trade = rng.choice(SUPPLIER_TRADES[category])
    name = unique(rng, taken, lambda r: f"{trade} {r.choice(BUSINESS_NAMES)} {suffix}")
    return {
        "name": name,
        "email": f"facturacion@{slug(name)}.es",
        "tax_id": cif(rng, CIF_LETTERS[suffix]),
        "address": address(rng),
    }


def professional(rng: random.Random, taken: set[str]) -> dict[str, str]:
    """A self-employed professional: a person, with a personal tax ID."""
    name = unique(rng, taken, person_name)
    return {
        "name": name,
        "email": f"{slug(name)}@correo.es",
        "tax_id": nif(rng),
        "address": address(rng),
    }
