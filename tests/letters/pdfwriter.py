"""A minimal PDF writer (standard library only) for the letter corpus: pages of raw content
streams with the standard 14 fonts, plus the extras a hostile letter needs (a /ToUnicode map,
extra fonts with their own encodings and maps, an embedded TrueType font drawn as a CID font,
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
        # More fonts on every page: name -> function(pdf) that adds the font's objects and
        # returns the number of its font dictionary.
        self.extra_fonts = {}

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
        for name, make in self.extra_fonts.items():
            font_refs[name] = make(self)
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


def tounicode_cmap(entries, two_bytes=False):
    """A /ToUnicode CMap stream's bytes: `entries` maps a character code to the text (a str,
    possibly several characters) extraction reports for it."""
    width = 4 if two_bytes else 2
    lines = [b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap",
             b"/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
             b"/CMapName /Corpus-UCS def /CMapType 2 def",
             b"1 begincodespacerange <%s> <%s> endcodespacerange" %
             (b"0" * width, b"F" * width)]
    items = sorted(entries.items())
    for i in range(0, len(items), 100):  # at most 100 entries per block
        chunk = items[i:i + 100]
        lines.append(b"%d beginbfchar" % len(chunk))
        for code, text in chunk:
            lines.append(b"<%0*X> <%s>" % (width, code, text.encode("utf-16-be").hex().upper()
                                            .encode()))
        lines.append(b"endbfchar")
    lines.append(b"endcmap CMapName currentdict /CMap defineresource pop end end")
    return b"\n".join(lines)


def simple_font(base, tounicode=None, differences=None):
    """A standard 14 font (not embedded) in WinAnsiEncoding, optionally with /Differences
    (code -> glyph name) and a /ToUnicode map (code -> text); returns a maker for
    Pdf.extra_fonts."""
    def make(pdf):
        extra = b""
        if tounicode is not None:
            extra += b" /ToUnicode %d 0 R" % pdf.add(Pdf.stream(tounicode_cmap(tounicode)))
        if differences:
            diffs = b" ".join(b"%d /%s" % (c, n.encode()) for c, n in sorted(differences.items()))
            encoding = b"<< /Type /Encoding /BaseEncoding /WinAnsiEncoding /Differences [%s] >>" \
                % diffs
        else:
            encoding = b"/WinAnsiEncoding"
        return pdf.add(b"<< /Type /Font /Subtype /Type1 /BaseFont /%s /Encoding %s%s >>" %
                       (base.encode(), encoding, extra))
    return make


def truetype_unicode_cmap(data):
    """The (3,1) format 4 cmap of a TrueType font file: {code point: glyph id} for the BMP."""
    import struct
    num_tables = struct.unpack(">H", data[4:6])[0]
    tables = {}
    for i in range(num_tables):
        tag, _, offset, length = struct.unpack(">4sIII", data[12 + 16 * i:28 + 16 * i])
        tables[tag] = (offset, length)
    cmap = tables[b"cmap"][0]
    count = struct.unpack(">H", data[cmap + 2:cmap + 4])[0]
    for i in range(count):
        platform, encoding, offset = struct.unpack(">HHI", data[cmap + 4 + 8 * i:cmap + 12 + 8 * i])
        sub = cmap + offset
        if (platform, encoding) != (3, 1) or struct.unpack(">H", data[sub:sub + 2])[0] != 4:
            continue
        segs = struct.unpack(">H", data[sub + 6:sub + 8])[0] // 2
        at = sub + 14
        ends = struct.unpack(">%dH" % segs, data[at:at + 2 * segs])
        at += 2 * segs + 2
        starts = struct.unpack(">%dH" % segs, data[at:at + 2 * segs])
        at += 2 * segs
        deltas = struct.unpack(">%dh" % segs, data[at:at + 2 * segs])
        at += 2 * segs
        range_at = at
        offsets = struct.unpack(">%dH" % segs, data[at:at + 2 * segs])
        out = {}
        for s, (start, end, delta, ro) in enumerate(zip(starts, ends, deltas, offsets)):
            for c in range(start, min(end, 0xFFFE) + 1):
                if ro == 0:
                    gid = (c + delta) & 0xFFFF
                else:
                    where = range_at + 2 * s + ro + 2 * (c - start)
                    gid = struct.unpack(">H", data[where:where + 2])[0]
                    gid = (gid + delta) & 0xFFFF if gid else 0
                if gid:
                    out[c] = gid
        return out
    raise ValueError("no (3,1) format 4 cmap")


def truncated_glyph_count(data, count):
    """A TrueType file whose maxp table says it has `count` glyphs: every glyph id from `count`
    on is still in its cmap, but a renderer has no glyph to draw for it (FreeType refuses it)."""
    import struct
    num_tables = struct.unpack(">H", data[4:6])[0]
    for i in range(num_tables):
        tag, _, offset, _ = struct.unpack(">4sIII", data[12 + 16 * i:28 + 16 * i])
        if tag == b"maxp":
            return data[:offset + 4] + struct.pack(">H", count) + data[offset + 6:]
    raise ValueError("no maxp table")


def truetype_cid_font(path, cid_to_gid, tounicode, name=b"DejaVuSansMono", data=None):
    """The whole TrueType file at `path` embedded (FontFile2) as a CIDFontType2 under a Type0
    font with Identity-H: the content stream's two-byte codes are CIDs. `cid_to_gid` is a list
    (a /CIDToGIDMap stream) or None (/Identity: the CID is the glyph id); `tounicode` maps CIDs
    to text. Widths: one default, the font being monospaced. `data`, when given, is embedded
    instead of the file's bytes. Returns a maker for extra_fonts."""
    def make(pdf):
        font = data if data is not None else open(path, "rb").read()
        file_ref = pdf.add(Pdf.stream(font, b"/Length1 %d" % len(font)))
        descriptor = pdf.add(
            b"<< /Type /FontDescriptor /FontName /%s /Flags 33 /FontBBox [-558 -375 718 1042] "
            b"/ItalicAngle 0 /Ascent 760 /Descent -240 /CapHeight 729 /StemV 80 "
            b"/FontFile2 %d 0 R >>" % (name, file_ref))
        if cid_to_gid is None:
            gid_map = b"/Identity"
        else:
            raw = b"".join(b"%c%c" % (g >> 8, g & 0xFF) for g in cid_to_gid)
            gid_map = b"%d 0 R" % pdf.add(Pdf.stream(raw))
        cid_font = pdf.add(
            b"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /%s /CIDSystemInfo << /Registry "
            b"(Adobe) /Ordering (Identity) /Supplement 0 >> /FontDescriptor %d 0 R /DW 602 "
            b"/CIDToGIDMap %s >>" % (name, descriptor, gid_map))
        tu = pdf.add(Pdf.stream(tounicode_cmap(tounicode, two_bytes=True)))
        return pdf.add(b"<< /Type /Font /Subtype /Type0 /BaseFont /%s /Encoding /Identity-H "
                       b"/DescendantFonts [%d 0 R] /ToUnicode %d 0 R >>" % (name, cid_font, tu))
    return make
