#!/usr/bin/env python3
"""The renewal letter corpus (issue 9 §1): hostile letters whose rendered page shows a key or a
letter hash other than the renewal's under its heading, or that a viewer may draw differently,
and layout variants of honest letters that must still be signed.

    make_letters.py --case NAME --new HEX --old HEX --foreign HEX [--previous SHA1] --out FILE
    make_letters.py --list            # every case, one per line: NAME hostile|variant stage

HEX is spkiHex ("03 42 00 04 …"). Cases named a-* / va-* are acceptance letters, t-* / vt-*
terms letters (these need --previous, the acceptance letter's SHA-1)."""

import argparse
import sys

sys.dont_write_bytecode = True  # run from the source tree by the tests: leave no __pycache__

from fontruns import drawn_key, font_run, shifted  # noqa: E402
from letterpage import BODY, FOLIO, TOP, X, Letter, honest  # noqa: E402
from pdfwriter import Page, Pdf, text_string, wrap_hex  # noqa: E402


def hidden_ours(a, how, foreign=True):
    """Our key hidden `how`, the foreign key (or, without `foreign`, nothing) drawn where a
    reader looks under the heading."""
    letter = Letter(a)
    letter.heading("Llave Pública Nueva")
    p, top = letter.page, letter.y
    # A hidden word after our hidden key ends the key for a text extractor, which then reads the
    # visible foreign key as unrelated text.
    rows = wrap_hex(a.new) + ["Nota"]
    if how == "mode3":
        p.lines(X, top, rows, extra=b"3 Tr")
    elif how == "clip":
        p.raw("q 0 0 1 1 re W n")
        p.lines(X, top, rows)
        p.raw("Q")
    elif how == "box":
        p.lines(X, top, rows)
        p.box(X - 2, top - 11 * len(rows) + 7, 500, 11 * len(rows) + 3, 1.0)
    elif how == "tiny":
        p.lines(X, top + 2, [" ".join(rows)], size=0.4, leading=0.5)
    elif how == "white":
        p.lines(X, top, rows, extra=b"1 g")
    elif how == "offpage":
        p.lines(X + 700, top, rows)
    elif how == "squeezed":
        p.lines(X, top, rows, extra=b"1 Tz")
    elif how == "stroke-over":
        p.lines(X, top, rows)
        p.raw("q 1 G 12 w %g %g m %g %g l S Q" % (X - 2, top + 3, X + 500, top + 3))
        for i in range(1, len(rows)):
            p.raw("q 1 G 12 w %g %g m %g %g l S Q" % (X - 2, top + 3 - 11 * i, X + 500,
                                                      top + 3 - 11 * i))
    elif how == "textclip":
        p.lines(X, top, rows, extra=b"7 Tr")
    # The hidden key takes its own lines (a blank gap on the page), so an extractor reads it
    # right after the heading and the foreign key after it.
    if how not in ("tiny", "offpage"):
        letter.y -= 11 * len(rows)
    if foreign:
        letter.key(a.foreign)
    else:
        letter.y -= 6
    letter.rest()
    return letter.pdf()


def actual_text(a):
    """The foreign key's glyphs, tagged with /ActualText carrying ours."""
    letter = Letter(a)
    letter.heading("Llave Pública Nueva")
    utf16 = ("\ufeff" + a.new).encode("utf-16-be")
    letter.page.raw(b"/Span << /ActualText <%s> >> BDC" % utf16.hex().encode())
    letter.key(a.foreign)
    letter.page.raw("EMC")
    letter.rest()
    return letter.pdf()


def variant_heading(a, title, zero_width=False, overlay=False):
    """The foreign key under a heading the old check did not recognise; ours shown elsewhere."""
    letter = Letter(a)
    pdf = Pdf()
    if zero_width:
        # Code 0x01 draws nothing in Helvetica; the /ToUnicode map reads it as U+200B.
        pdf.tounicode = (b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap "
                         b"/CMapName /ZW def 1 begincodespacerange <00> <FF> endcodespacerange "
                         b"1 beginbfchar <01> <200B> endbfchar 1 beginbfrange <20> <7E> <0020> "
                         b"endbfrange endcmap CMapName currentdict /CMap defineresource pop end end")
        letter.page.raw(b"BT /F1 10 Tf %d %d Td (Lla\\001ve P\\372blica Nueva) Tj ET" %
                        (X, letter.y))
        letter.y -= 14
    elif overlay:
        # "u" and an acute accent drawn on its own over it, instead of "ú".
        letter.page.raw(b"BT /F2 10 Tf %d %d Td [(Llave Pu) 444.5 (\\264) -111.5 (blica Nueva)] "
                        b"TJ ET" % (X, letter.y))
        letter.y -= 14
    else:
        letter.heading(title)
    letter.key(a.foreign)
    letter.rest()
    letter.page.text(X, 120, "Referencia de la llave generada:", "F1", 9)
    letter.page.lines(X, 108, wrap_hex(a.new))
    return letter.pdf(pdf)


def second_page_white(a):
    letter = Letter(a)
    letter.heading("Llave Pública Nueva")
    letter.key(a.foreign)
    letter.rest()
    page2 = Page()
    page2.text(X, TOP, "Llave Pública Nueva", "F2", 10)
    page2.lines(X, TOP - 14, wrap_hex(a.new), extra=b"1 g")
    return Pdf().build([letter.page, page2])


def incremental(a):
    letter = honest(a)
    pdf = Pdf()
    letter.pdf(pdf)
    overlay = Page()
    top = TOP - 14 * len(BODY) - 14 - 14
    rows = wrap_hex(a.foreign)
    overlay.box(X - 2, top - 11 * len(rows) + 7, 500, 11 * len(rows) + 3, 1.0)
    overlay.lines(X, top, rows)
    return pdf.incremental_update(0, overlay)


def with_catalog(a, extra):
    pdf = Pdf()
    pdf.catalog_extra = extra
    return honest(a).pdf(pdf)


def appearance(a):
    """An appearance stream that paints a white box and the foreign key over ours."""
    rows = wrap_hex(a.foreign)
    top = TOP - 14 * len(BODY) - 14 - 14
    ops = [b"1 g %d %d 500 %d re f 0 g" % (X - 2, top - 11 * len(rows) + 7, 11 * len(rows) + 3)]
    for i, row in enumerate(rows):
        ops.append(b"BT /F3 8.5 Tf %d %d Td %s Tj ET" % (X, top - 11 * i, text_string(row)))
    return b"\n".join(ops)


def annotated(a, subtype):
    letter = honest(a)
    pdf = Pdf()
    pages = [letter.page]
    ap = appearance(a)
    pdf.build(pages)
    n_ap = max(pdf.objects) + 1
    pdf.objects[n_ap] = Pdf.stream(ap, b"/Type /XObject /Subtype /Form /BBox [0 0 595 842] "
                                        b"/Resources << /Font << /F3 << /Type /Font /Subtype "
                                        b"/Type1 /BaseFont /Courier >> >> >>")
    n_annot = n_ap + 1
    pdf.objects[n_annot] = (b"<< /Type /Annot /Subtype /%s /Rect [0 0 595 842] /F 4 "
                            b"/Contents (x) /AP << /N %d 0 R >> >>" % (subtype.encode(), n_ap))
    page = pdf.objects[pdf.kids[0]]
    pdf.objects[pdf.kids[0]] = page[:-2] + b" /Annots [%d 0 R] >>" % n_annot
    return pdf.serialize()


def terms_hidden(a, how):
    letter = Letter(a, terms=True)
    letter.heading("Llave Pública Nueva")
    letter.key(a.new)
    p = letter.page
    if how == "mode3-hash":
        letter.heading("Cadena de Identificación de Carta Anterior")
        p.text(X, letter.y, a.previous.upper(), "F3", 9, b"3 Tr")
        p.text(X, letter.y - 12, "Nota", "F3", 9, b"3 Tr")
        p.text(X, letter.y - 24, a.foreign_previous.upper(), "F3", 9)
        letter.y -= 24
    elif how == "box-hash":
        letter.heading("Cadena de Identificación de Carta Anterior")
        p.text(X, letter.y, a.previous.upper(), "F3", 9)
        p.text(X, letter.y - 12, "Nota", "F3", 9)
        p.box(X - 2, letter.y - 16, 300, 26, 1.0)
        p.text(X, letter.y - 24, a.foreign_previous.upper(), "F3", 9)
        letter.y -= 24
    elif how == "variant-hash":
        letter.heading("Cadena de identificación de la carta anterior:")
        p.text(X, letter.y, a.foreign_previous.upper(), "F3", 9)
        p.text(X, 120, "Referencia: " + a.previous.upper(), "F1", 9)
    letter.y -= 20
    p.text(X, letter.y, FOLIO, "F1", 9)
    return letter.pdf()


def terms_foreign_key(a):
    letter = Letter(a, terms=True)
    letter.heading("Llave Pública Nueva")
    top = letter.y
    rows = wrap_hex(a.new) + ["Nota"]
    letter.page.lines(X, top, rows, extra=b"3 Tr")
    letter.y -= 11 * len(rows)
    letter.key(a.foreign)
    letter.rest()
    return letter.pdf()


# ---- fonts whose /ToUnicode map names other characters than their glyphs draw ----

def key_font(letter, pdf, drawn, claimed, method):
    """A key block drawn row by row with `font_run`; advances the letter like Letter.key."""
    for drawn_row, claimed_row in zip(wrap_hex(drawn), wrap_hex(claimed)):
        font_run(pdf, letter.page, X, letter.y, drawn_row, claimed_row, method)
        letter.y -= 11
    letter.y -= 6


def lying_key(a, method, honest_font=False):
    """The foreign key drawn under the heading in a font whose /ToUnicode turns it into ours
    (with `honest_font`, our key and an honest map: a layout variant)."""
    letter = Letter(a)
    pdf = Pdf()
    letter.heading("Llave Pública Nueva")
    key_font(letter, pdf, a.new if honest_font else drawn_key(a), a.new, method)
    letter.rest()
    return letter.pdf(pdf)


def lying_hash(a, method):
    """The terms letter: a foreign previous-letter hash drawn in a font that reads as ours."""
    letter = Letter(a, terms=True)
    pdf = Pdf()
    letter.heading("Llave Pública Nueva")
    letter.key(a.new)
    letter.heading("Cadena de Identificación de Carta Anterior")
    ours = a.previous.upper()
    font_run(pdf, letter.page, X, letter.y, shifted(ours), ours, method, 9)
    letter.y -= 20
    letter.page.text(X, letter.y, FOLIO, "F1", 9)
    return letter.pdf(pdf)


def swapped_headings(a):
    """The old key drawn under "Llave Pública Nueva" and the new key under "… Anterior", each
    heading's last word mapped by /ToUnicode to the other's (the rest of it to U+200B, which
    the check drops): extraction reads both keys under the right headings."""
    letter = Letter(a)
    pdf = Pdf()
    for drawn_word, claimed_word, key in (("Nueva", "Anterior", a.old),
                                          ("Anterior", "Nueva", a.new)):
        title = "Llave Pública "
        claimed = list(title) + [claimed_word] + ["\u200b"] * (len(drawn_word) - 1)
        font_run(pdf, letter.page, X, letter.y, title + drawn_word, claimed, "differences", 10,
                 "Helvetica-Bold")
        letter.y -= 14
        letter.key(key)
    letter.page.text(X, letter.y, FOLIO, "F1", 9)
    return letter.pdf(pdf)


# ---- honest layout variants ----

def two_columns(a, terms):
    page = Page()
    left = ["Carta de Aceptación de", "Renovación de Certificado", "Digital.",
            "El que suscribe Sr.(a)", "PRUEBA 4 PRUEBA acepta", "los términos y condiciones",
            "para la renovación de su", "Certificado Digital."]
    page.lines(X, TOP, left, "F1", 10, 14)
    xr, y = 320, TOP
    page.text(xr, y, "Llave Pública Nueva", "F2", 10)
    y = page.lines(xr, y - 14, wrap_hex(a.new, 10), "F3", 8.5, 11) - 8
    if terms:
        page.text(xr, y, "Cadena de Identificación", "F2", 10)
        page.text(xr, y - 12, "de Carta Anterior", "F2", 10)
        page.text(xr, y - 26, a.previous.upper(), "F3", 7)
    else:
        page.text(xr, y, "Llave Pública Anterior", "F2", 10)
        page.lines(xr, y - 14, wrap_hex(a.old, 10), "F3", 8.5, 11)
    page.text(X, 100, FOLIO, "F1", 9)
    return Pdf().build([page])


def variant(a, kind):
    if kind == "times":
        letter = Letter(a)
        letter.heading("Llave Pública Nueva", "F5")
        letter.key(a.new, "F4", 9, 16)
        letter.rest()
        return letter.pdf()
    if kind == "eight-per-line":
        letter = Letter(a)
        letter.heading("LLAVE PÚBLICA NUEVA")
        letter.key(a.new, per_line=8)
        letter.rest()
        return letter.pdf()
    if kind == "same-line":
        letter = Letter(a)
        pairs = a.new.split()
        letter.page.text(X, letter.y, "Llave Pública Nueva (RSA 2048): " + " ".join(pairs[:6]),
                         "F3", 8.5)
        letter.y -= 11
        letter.key(" ".join(pairs[6:]))
        letter.rest()
        return letter.pdf()
    if kind == "framed-grey":
        letter = Letter(a)
        letter.heading("Llave Pública Nueva")
        rows = wrap_hex(a.new)
        top = letter.y
        letter.page.box(X - 4, top - 11 * len(rows) + 4, 480, 11 * len(rows) + 8, 0.93)
        letter.page.lines(X, top, rows, extra=b"0.25 g")
        letter.page.raw("q 0.5 w 0 G %g %g 480 %g re S Q" % (X - 4, top - 11 * len(rows) + 4,
                                                                11 * len(rows) + 8))
        letter.y = top - 11 * len(rows) - 8
        letter.rest()
        return letter.pdf()
    if kind == "unspaced":
        letter = Letter(a)
        letter.heading("Llave Pública Nueva:")
        digits = a.new.replace(" ", "")
        rows = [digits[i:i + 64] for i in range(0, len(digits), 64)]
        letter.y = letter.page.lines(X, letter.y, rows) - 6
        letter.rest()
        return letter.pdf()
    raise SystemExit("unknown variant " + kind)


def plain_document():
    page = Page()
    page.lines(X, TOP, ["Factura 2026-0142", "Servicios de consultoría contable, diciembre.",
                        "Total: $ 12,500.00 MXN"], "F1", 11, 16)
    return Pdf().build([page])


CASES = {
    # name: (kind, stage, builder)
    "a-render-mode-3": ("hostile", lambda a: hidden_ours(a, "mode3")),
    "a-clipped-away": ("hostile", lambda a: hidden_ours(a, "clip")),
    "a-white-box-over": ("hostile", lambda a: hidden_ours(a, "box")),
    "a-tiny-0.4pt": ("hostile", lambda a: hidden_ours(a, "tiny")),
    "a-white-text": ("hostile", lambda a: hidden_ours(a, "white")),
    "a-off-page": ("hostile", lambda a: hidden_ours(a, "offpage")),
    "a-squeezed-1pct": ("hostile", lambda a: hidden_ours(a, "squeezed")),
    "a-white-stroke-over": ("hostile", lambda a: hidden_ours(a, "stroke-over")),
    "a-text-clip-mode-7": ("hostile", lambda a: hidden_ours(a, "textclip")),
    # Nothing but the hidden key under the heading: refused by what is drawn alone.
    "a-only-invisible-mode-3": ("hostile", lambda a: hidden_ours(a, "mode3", False)),
    "a-only-under-white-box": ("hostile", lambda a: hidden_ours(a, "box", False)),
    "a-only-white-text": ("hostile", lambda a: hidden_ours(a, "white", False)),
    "a-only-tiny-0.4pt": ("hostile", lambda a: hidden_ours(a, "tiny", False)),
    "a-actualtext": ("hostile", actual_text),
    "a-heading-emdash": ("hostile", lambda a: variant_heading(a, "Llave Pública Nueva —")),
    "a-heading-rsa": ("hostile", lambda a: variant_heading(a, "Llave Pública Nueva (RSA 2048):")),
    "a-heading-guillemets": ("hostile", lambda a: variant_heading(a, "« Llave Pública Nueva »")),
    "a-heading-clave": ("hostile", lambda a: variant_heading(a, "Clave Pública Nueva")),
    "a-heading-nueva-llave": ("hostile", lambda a: variant_heading(a, "Nueva Llave Pública")),
    "a-heading-plural": ("hostile", lambda a: variant_heading(a, "Llaves Públicas Nuevas")),
    "a-heading-accent-overlay": ("hostile", lambda a: variant_heading(a, "", overlay=True)),
    "a-heading-zero-width": ("hostile", lambda a: variant_heading(a, "", zero_width=True)),
    "a-second-page-white": ("hostile", second_page_white),
    "a-incremental-update": ("hostile", incremental),
    "a-javascript": ("hostile", lambda a: with_catalog(
        a, b"/OpenAction << /S /JavaScript /JS (app.alert\\(1\\)) >>")),
    "a-embedded-file": ("hostile", lambda a: with_catalog(
        a, b"/Names << /EmbeddedFiles << /Names [(x.txt) << /Type /Filespec /F (x.txt) /EF "
           b"<< /F 1 0 R >> >>] >> >>")),
    "a-stamp-annotation": ("hostile", lambda a: annotated(a, "Stamp")),
    "a-freetext-annotation": ("hostile", lambda a: annotated(a, "FreeText")),
    "t-hash-render-mode-3": ("hostile", lambda a: terms_hidden(a, "mode3-hash")),
    "t-hash-white-box": ("hostile", lambda a: terms_hidden(a, "box-hash")),
    "t-hash-heading-variant": ("hostile", lambda a: terms_hidden(a, "variant-hash")),
    "t-key-render-mode-3": ("hostile", terms_foreign_key),
    # A font's /ToUnicode names other characters than its glyphs draw.
    "a-tounicode-shift-fonts": ("hostile", lambda a: lying_key(a, "shift-fonts")),
    "a-tounicode-differences": ("hostile", lambda a: lying_key(a, "differences")),
    "a-tounicode-embedded-cid": ("hostile", lambda a: lying_key(a, "cid")),
    "a-tounicode-heading-swap": ("hostile", swapped_headings),
    # Our key in an embedded font that has no glyphs for it: the page shows a blank block.
    "a-key-glyphs-beyond-the-font": ("hostile", lambda a: lying_key(a, "cid-no-glyphs", True)),
    "t-hash-tounicode-differences": ("hostile", lambda a: lying_hash(a, "differences")),
    "t-hash-tounicode-shift-fonts": ("hostile", lambda a: lying_hash(a, "shift-fonts")),
    "va-portal-layout": ("variant", lambda a: honest(a).pdf()),
    "va-times": ("variant", lambda a: variant(a, "times")),
    "va-eight-per-line": ("variant", lambda a: variant(a, "eight-per-line")),
    "va-same-line-rsa": ("variant", lambda a: variant(a, "same-line")),
    "va-framed-grey": ("variant", lambda a: variant(a, "framed-grey")),
    "va-unspaced": ("variant", lambda a: variant(a, "unspaced")),
    "va-two-columns": ("variant", lambda a: two_columns(a, False)),
    # Fonts with an honest /ToUnicode map: the same code paths as the lying ones.
    "va-courier-tounicode": ("variant", lambda a: lying_key(a, "shift-fonts", True)),
    "va-differences-tounicode": ("variant", lambda a: lying_key(a, "differences", True)),
    "va-embedded-truetype": ("variant", lambda a: lying_key(a, "cid-identity", True)),
    "va-embedded-truetype-gidmap": ("variant", lambda a: lying_key(a, "cid", True)),
    "vt-portal-layout": ("variant", lambda a: honest(a, terms=True).pdf()),
    "vt-two-columns": ("variant", lambda a: two_columns(a, True)),
    # Not a letter: what documents.sign must still sign.
    "plain-document": ("document", lambda a: plain_document()),
}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--list", action="store_true")
    ap.add_argument("--case")
    ap.add_argument("--new")
    ap.add_argument("--old")
    ap.add_argument("--foreign")
    ap.add_argument("--previous", default="")
    ap.add_argument("--out")
    a = ap.parse_args()
    if a.list:
        for name, (kind, _) in CASES.items():
            print(name, kind, "terms" if name.startswith(("t-", "vt-")) else "acceptance")
        return 0
    if a.case not in CASES:
        print("unknown case", a.case, file=sys.stderr)
        return 2
    a.new, a.old, a.foreign = a.new.lower(), a.old.lower(), a.foreign.lower()
    # A foreign letter hash: the real one with every digit shifted.
    a.foreign_previous = "".join("0123456789abcdef"[(int(c, 16) + 7) % 16]
                                 for c in a.previous.lower())
    data = CASES[a.case][1](a)
    with open(a.out, "wb") as f:
        f.write(data)
    return 0


if __name__ == "__main__":
    sys.exit(main())
