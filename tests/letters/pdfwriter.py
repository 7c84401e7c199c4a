"""A minimal PDF writer (standard library only) for the letter corpus: pages of raw content
streams with the standard 14 fonts, plus the extras a hostile letter needs (a /ToUnicode map,
catalog entries, annotations, an incremental update). Nothing here is clever: every byte a test
letter carries is written out in full, so a reader of the corpus script sees the attack."""

FONTS = {"F1": "Helvetica", "F2": "Helvetica-Bold", "F3": "Courier", "F4": "Times-Roman",
         "F5": "Times-Bold", "F6": "Courier-Bold"}


def text_string(s):
    """A PDF literal string in WinAnsi (cp1252) bytes."""
    raw = s.encode("cp1252")
    out = b"("
    for b in raw:
        if b in (0x28, 0x29, 0x5C):
            out += b"\\" + bytes([b])
        elif b < 0x20 or b > 0x7E:
            out += b"\\%03o" % b
        else:
            out += bytes([b])
    return out + b")"


class Page:
    """Content of one A4 page: helpers append PDF operators."""

    def __init__(self):
        self.ops = []
        self.annots = []

    def raw(self, op):
        self.ops.append(op if isinstance(op, bytes) else op.encode("latin-1"))

    def text(self, x, y, s, font="F1", size=10, extra=b""):
        # q/Q: a render mode, colour or scaling set for this line must not leak into the next.
        self.raw(b"q BT /%s %g Tf %s %g %g Td %s Tj ET Q" %
                 (font.encode(), size, extra, x, y, text_string(s)))

    def lines(self, x, y, rows, font="F3", size=8.5, leading=11, extra=b""):
        for i, row in enumerate(rows):
            self.text(x, y - i * leading, row, font, size, extra)
        return y - len(rows) * leading

    def box(self, x, y, w, h, gray=1.0):
        self.raw("q %g g %g %g %g %g re f Q" % (gray, x, y, w, h))

    def content(self):
        return b"\n".join(self.ops)


def wrap_hex(spaced, per_line=20):
    pairs = spaced.split()
    return [" ".join(pairs[i:i + per_line]) for i in range(0, len(pairs), per_line)]


class Pdf:
    def __init__(self):
        self.objects = {}  # number -> bytes
        self.catalog_extra = b""
        self.tounicode = None  # bytes of a CMap stream shared by font F1 when set

    def add(self, body, number=None):
        number = number or (max(self.objects) + 1 if self.objects else 1)
        self.objects[number] = body
        return number

    @staticmethod
    def stream(data, extra=b""):
        return b"<< /Length %d %s >>\nstream\n%s\nendstream" % (len(data), extra, data)

    def build(self, pages):
        self.objects = {}
        self.add(b"")  # 1: catalog, filled below
        self.add(b"")  # 2: pages
        font_refs = {}
        tu = None
        if self.tounicode:
            tu = self.add(self.stream(self.tounicode))
        for name, base in FONTS.items():
            extra = b" /ToUnicode %d 0 R" % tu if (tu and name == "F1") else b""
            font_refs[name] = self.add(
                b"<< /Type /Font /Subtype /Type1 /BaseFont /%s /Encoding /WinAnsiEncoding%s >>"
                % (base.encode(), extra))
        fonts = b" ".join(b"/%s %d 0 R" % (n.encode(), r) for n, r in font_refs.items())
        kids = []
        for page in pages:
            content = self.add(self.stream(page.content()))
            annots = b""
            if page.annots:
                refs = [self.add(a) for a in page.annots]
                annots = b" /Annots [%s]" % b" ".join(b"%d 0 R" % r for r in refs)
            kids.append(self.add(
                b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents %d 0 R "
                b"/Resources << /Font << %s >> >>%s >>" % (content, fonts, annots)))
        self.objects[2] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (
            b" ".join(b"%d 0 R" % k for k in kids), len(kids))
        self.objects[1] = b"<< /Type /Catalog /Pages 2 0 R %s >>" % self.catalog_extra
        self.kids = kids
        self.fonts = fonts
        return self.serialize()

    def serialize(self):
        out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
        offsets = {}
        for n in sorted(self.objects):
            offsets[n] = len(out)
            out += b"%d 0 obj\n%s\nendobj\n" % (n, self.objects[n])
        xref = len(out)
        size = max(self.objects) + 1
        out += b"xref\n0 %d\n0000000000 65535 f \n" % size
        for n in range(1, size):
            out += b"%010d 00000 n \n" % offsets[n] if n in offsets else b"0000000000 65535 f \n"
        out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (size, xref)
        self.base = bytes(out)
        self.size = size
        self.xref = xref
        return self.base

    def incremental_update(self, page_index, overlay):
        """Appends a second revision whose page draws `overlay` after the original content."""
        out = bytearray(self.base)
        n_content = self.size
        n_page = self.kids[page_index]
        original = self.objects[n_page]
        start = original.index(b"/Contents ") + len(b"/Contents ")
        end = original.index(b" R", start) + 2
        new_page = original[:start] + b"[%s %d 0 R]" % (original[start:end], n_content) + \
            original[end:]
        offsets = {}
        offsets[n_content] = len(out)
        out += b"%d 0 obj\n%s\nendobj\n" % (n_content, self.stream(overlay.content()))
        offsets[n_page] = len(out)
        out += b"%d 0 obj\n%s\nendobj\n" % (n_page, new_page)
        xref = len(out)
        out += b"xref\n0 1\n0000000000 65535 f \n"
        for n in sorted(offsets):
            out += b"%d 1\n%010d 00000 n \n" % (n, offsets[n])
        out += b"trailer\n<< /Size %d /Root 1 0 R /Prev %d >>\nstartxref\n%d\n%%%%EOF\n" % (
            n_content + 1, self.xref, xref)
        return bytes(out)
