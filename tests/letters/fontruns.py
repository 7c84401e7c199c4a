"""Text drawn with fonts whose /ToUnicode map names, glyph by glyph, the characters of another
string than the one drawn (issue 9 §1): the letter corpus's lying fonts, and the same code
paths with honest maps for its layout variants."""

from pdfwriter import (simple_font, text_string, truetype_cid_font, truetype_unicode_cmap,
                       truncated_glyph_count)

HEX = "0123456789abcdef"
GLYPH_NAMES = dict(zip("0123456789", ["zero", "one", "two", "three", "four", "five", "six",
                                       "seven", "eight", "nine"]), **{" ": "space", "ú": "uacute"})
# Debian's fonts-dejavu-core: a TrueType font with a Unicode cmap, embedded whole.
DEJAVU_MONO = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf"


def dejavu_mono():
    try:
        with open(DEJAVU_MONO, "rb") as f:
            return f.read()
    except OSError as e:
        raise SystemExit("%s: the embedded-font cases need the Debian package fonts-dejavu-core"
                         % e)


def shifted(hex_text):
    """Another key or hash of the same shape: every hex digit shifted by 7 (case kept)."""
    out = ""
    for c in hex_text:
        if c.lower() in HEX:
            d = HEX[(HEX.index(c.lower()) + 7) % 16]
            out += d.upper() if c.isupper() else d
        else:
            out += c
    return out


def drawn_key(a):
    """What a viewer is to draw instead of our key: the foreign key, or a shifted copy of ours
    when the foreign key has another length (a lying map pairs glyphs one to one)."""
    return a.foreign if len(a.foreign) == len(a.new) else shifted(a.new)


def font_run(pdf, page, x, y, drawn, claimed, method, size=8.5, base="Courier"):
    """Draws `drawn` at (x, y) with fonts whose /ToUnicode maps each glyph to the character of
    `claimed` at the same place (equal strings: an honest font). Methods:
      shift-fonts  16 Courier fonts in WinAnsiEncoding (glyphs named by the encoding), the k-th
                   mapping each hex digit to the digit k places on; each glyph drawn with the
                   font whose map turns it into the claimed digit;
      differences  one font whose /Differences give each (drawn, claimed) pair its own code,
                   named after the drawn glyph, mapped to the claimed text (a str per glyph
                   when `claimed` is a list);
      cid          DejaVu Sans Mono embedded as a CID font (Identity-H); each pair its own CID,
                   the /CIDToGIDMap giving the drawn glyph, the /ToUnicode the claimed text;
      cid-identity the same font with /Identity (the CID is the glyph id) and an honest map;
      cid-no-glyphs as cid-identity, but the embedded font's maxp says it has 4 glyphs: its
                   cmap still names every character, a viewer draws nothing for them."""
    pairs = list(zip(drawn, claimed))
    assert len(drawn) == len(claimed), "a lying map pairs glyphs one to one"
    ops = [b"BT %g %g Td" % (x, y)]
    if method == "shift-fonts":
        for k in range(16):
            name = "L%X" % k
            if name not in pdf.extra_fonts:
                tu = {c: chr(c) for c in range(0x20, 0x7F)}
                for alphabet in (HEX.upper(), HEX):
                    for i, c in enumerate(alphabet):
                        tu[ord(c)] = alphabet[(i + k) % 16]
                pdf.extra_fonts[name] = simple_font(base, tounicode=tu)
        for d, c in pairs:
            k = (HEX.index(c.lower()) - HEX.index(d.lower())) % 16 if d != " " else 0
            ops.append(b"/L%X %g Tf %s Tj" % (k, size, text_string(d)))
    elif method == "differences":
        font = pdf.__dict__.setdefault("codes_" + base, {})  # (drawn, claimed) -> code
        for pair in pairs:
            if pair[0] != " " and pair not in font:
                font[pair] = len(font) + (1 if len(font) < 0x1F else 2)  # 0x20 is the space
        assert len(font) < 0xFF, "more pairs than codes"
        name = "D" + base.replace("-", "")
        differences = {code: GLYPH_NAMES.get(d, d) for (d, _), code in font.items()}
        tounicode = {code: c for (_, c), code in font.items()}
        tounicode[0x20] = " "
        pdf.extra_fonts[name] = simple_font(base, tounicode, differences)
        codes = bytes(0x20 if d == " " else font[(d, c)] for d, c in pairs)
        ops.append(b"/%s %g Tf <%s> Tj" % (name.encode(), size, codes.hex().encode()))
    elif method == "cid":
        gids = truetype_unicode_cmap(dejavu_mono())
        cids = pdf.__dict__.setdefault("cids", {})  # (drawn, claimed) -> CID
        for pair in pairs:
            cids.setdefault(pair, 1 + len(cids))
        cid_to_gid = [0] * (1 + len(cids))
        for (d, _), cid in cids.items():
            cid_to_gid[cid] = gids[ord(d)]
        pdf.extra_fonts["C1"] = truetype_cid_font(DEJAVU_MONO, cid_to_gid,
                                                  {cid: c for (_, c), cid in cids.items()})
        codes = b"".join(b"%04X" % cids[pair] for pair in pairs)
        ops.append(b"/C1 %g Tf <%s> Tj" % (size, codes))
    elif method in ("cid-identity", "cid-no-glyphs"):  # CID = glyph id, an honest map
        gids = truetype_unicode_cmap(dejavu_mono())
        tounicode = pdf.__dict__.setdefault("gid_text", {})
        tounicode.update({gids[ord(d)]: c for d, c in pairs})
        data = truncated_glyph_count(dejavu_mono(), 4) if method == "cid-no-glyphs" else None
        pdf.extra_fonts["C1"] = truetype_cid_font(DEJAVU_MONO, None, tounicode, data=data)
        codes = b"".join(b"%04X" % gids[ord(d)] for d, _ in pairs)
        ops.append(b"/C1 %g Tf <%s> Tj" % (size, codes))
    else:
        raise SystemExit("unknown font method " + method)
    ops.append(b"ET")
    page.raw(b" ".join(ops))
