"""The honest letter page the corpus builds on: the portal's text, line by line, with hooks
where an attack goes (tests/letters/make_letters.py)."""

from pdfwriter import Page, Pdf, wrap_hex

BODY = [
    "INSTITUTO MEXICANO DEL SEGURO SOCIAL",
    "Carta de Aceptación de Renovación de Certificado Digital",
    "El que suscribe Sr.(a) PRUEBA 4 PRUEBA, representante legal de la empresa PRUEBA 4,",
    "acepta los términos y condiciones para la renovación de su Certificado Digital.",
]
FOLIO = "No. De Folio: 88 a5 f3 56 9e 1e d3 5b 11 81 6c 22 cd 7b 27 4a"
X, TOP = 56, 780


class Letter:
    """An honest letter's page, built line by line, with hooks where an attack goes."""

    def __init__(self, a, terms=False):
        self.a, self.terms = a, terms
        self.page = Page()
        self.y = self.page.lines(X, TOP, BODY, "F1", 10, 14)
        self.y -= 14

    def heading(self, title, font="F2"):
        self.page.text(X, self.y, title, font, 10)
        self.y -= 14

    def key(self, spaced, font="F3", size=8.5, per_line=20, extra=b""):
        rows = wrap_hex(spaced, per_line)
        top = self.y
        self.y = self.page.lines(X, self.y, rows, font, size, 11, extra) - 6
        return top, len(rows)

    def rest(self):
        if not self.terms:
            self.heading("Llave Pública Anterior")
            self.key(self.a.old)
        else:
            self.heading("Cadena de Identificación de Carta Anterior")
            self.page.text(X, self.y, self.a.previous.upper(), "F3", 9)
            self.y -= 20
        self.page.text(X, self.y, FOLIO, "F1", 9)
        self.page.text(X, self.y - 12, "Usuario: A064878710", "F1", 9)

    def pdf(self, pdf=None, pages=None):
        pdf = pdf or Pdf()
        return pdf.build(pages or [self.page])


def honest(a, terms=False, heading="Llave Pública Nueva"):
    letter = Letter(a, terms)
    letter.heading(heading)
    letter.key(a.new)
    letter.rest()
    return letter
