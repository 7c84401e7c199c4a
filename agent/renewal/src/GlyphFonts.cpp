#include "GlyphFonts.h"

#include <cstring>
#include <optional>
#include <string>
#include <string_view>

#include <GfxFont.h>
#include <GlobalParams.h>
#include <fofi/FoFiTrueType.h>
#include <goo/GooString.h>
#include <goo/gmem.h>

namespace firmante::renewal {

namespace {

bool isSpace(Unicode c) {
    return c == 0x20 || c == 0xA0 || (c >= 0x2000 && c <= 0x200A) || c == 0x3000;
}

std::optional<Unicode> hexValue(std::string_view s) {
    if (s.empty() || s.size() > 6) return std::nullopt;
    Unicode v = 0;
    for (char c : s) {
        const int d = c >= '0' && c <= '9'   ? c - '0'
                      : c >= 'A' && c <= 'F' ? c - 'A' + 10
                      : c >= 'a' && c <= 'f' ? c - 'a' + 10
                                             : -1;
        if (d < 0) return std::nullopt;
        v = v * 16 + static_cast<Unicode>(d);
    }
    if ((v >= 0xD800 && v <= 0xDFFF) || v > 0x10FFFF) return std::nullopt;
    return v;
}

/// The one character a glyph name stands for: the Adobe Glyph List ("three", "uacute"), the
/// forms "uniXXXX" and "uXXXX"–"uXXXXXX"; a suffix after a dot ("three.alt") is dropped. None
/// for a name of several characters ("f_i", "uni00410042") or of none.
std::optional<Unicode> nameToUnicode(const char* raw) {
    if (!raw || !*raw) return std::nullopt;
    std::string name(raw);
    if (const auto dot = name.find('.'); dot != std::string::npos && dot > 0) name.resize(dot);
    if (name.size() == 7 && name.rfind("uni", 0) == 0)
        if (const auto v = hexValue(std::string_view(name).substr(3))) return v;
    if (name.size() >= 5 && name.size() <= 7 && name[0] == 'u')
        if (const auto v = hexValue(std::string_view(name).substr(1))) return v;
    if (const Unicode u = globalParams->mapNameToUnicodeText(name.c_str())) return u;
    return std::nullopt;
}

bool isTrueType(GfxFontType t) {
    return t == fontTrueType || t == fontTrueTypeOT || t == fontCIDType2 || t == fontCIDType2OT;
}

}  // namespace

/// An embedded TrueType program: its Unicode cmap and the code (or CID) to glyph id map that
/// poppler's renderer uses for it (SplashOutputDev::doUpdateFont).
struct GlyphFonts::TrueType {
    std::vector<unsigned char> file;  // FoFiTrueType reads it in place
    std::unique_ptr<FoFiTrueType> program;
    int unicodeCmap = -1;
    bool identity = false;  // the glyph id is the CID
    std::vector<int> codeToGID;
    int glyphCount = 0;  // maxp's numGlyphs: a renderer draws nothing for an id at or above it
};

namespace {

/// numGlyphs of a TrueType file's maxp table (FoFiTrueType keeps its own copy private); 0 when
/// the table is missing or outside the file, so that no glyph is confirmed.
int maxpGlyphCount(const std::vector<unsigned char>& file) {
    const auto u16 = [&](std::size_t at) { return (file[at] << 8) | file[at + 1]; };
    const auto u32 = [&](std::size_t at) {
        return (std::size_t{file[at]} << 24) | (std::size_t{file[at + 1]} << 16) |
               (std::size_t{file[at + 2]} << 8) | file[at + 3];
    };
    if (file.size() < 12) return 0;
    const std::size_t tables = u16(4);
    for (std::size_t i = 0; i < tables && 12 + 16 * (i + 1) <= file.size(); ++i) {
        const std::size_t record = 12 + 16 * i;
        if (std::memcmp(&file[record], "maxp", 4) != 0) continue;
        const std::size_t offset = u32(record + 8);
        if (offset > file.size() || file.size() - offset < 6) return 0;
        return u16(offset + 4);
    }
    return 0;
}

}  // namespace

GlyphFonts::GlyphFonts() = default;
GlyphFonts::~GlyphFonts() = default;

GlyphFonts::TrueType* GlyphFonts::trueTypeOf(GfxFont& font, XRef* xref) {
    const Ref* id = font.getID();
    const auto key = std::make_pair(id->num, id->gen);
    if (const auto found = fonts_.find(key); found != fonts_.end()) return found->second.get();
    std::unique_ptr<TrueType>& slot = fonts_[key];  // null: not embedded or unreadable
    Ref embedded;
    if (!xref || !font.getEmbeddedFontID(&embedded)) return nullptr;
    std::optional<std::vector<unsigned char>> file = font.readEmbFontFile(xref);
    if (!file || file->empty()) return nullptr;
    auto tt = std::make_unique<TrueType>();
    tt->file = std::move(*file);
    tt->program = FoFiTrueType::make(tt->file.data(), static_cast<int>(tt->file.size()));
    if (!tt->program) return nullptr;
    tt->glyphCount = maxpGlyphCount(tt->file);
    for (const auto& [platform, encoding] : {std::pair{3, 10}, {3, 1}, {0, 4}, {0, 3}}) {
        tt->unicodeCmap = tt->program->findCmap(platform, encoding);
        if (tt->unicodeCmap >= 0) break;
    }
    for (int i = 0; tt->unicodeCmap < 0 && i < tt->program->getNumCmaps(); ++i)
        if (tt->program->getCmapPlatform(i) == 0) tt->unicodeCmap = i;

    int* map = nullptr;
    int length = 0;
    if (font.isCIDFont()) {
        auto& cid = static_cast<GfxCIDFont&>(font);
        if (cid.getCIDToGID()) {
            tt->codeToGID.assign(cid.getCIDToGID(), cid.getCIDToGID() + cid.getCIDToGIDLen());
        } else {
            map = cid.getCodeToGIDMap(tt->program.get(), &length);
            tt->identity = !map;  // Adobe-Identity: the CID is the glyph id
        }
    } else {
        map = static_cast<Gfx8BitFont&>(font).getCodeToGIDMap(tt->program.get());
        length = map ? 256 : 0;
    }
    if (map) tt->codeToGID.assign(map, map + length);
    gfree(map);
    slot = std::move(tt);
    return slot.get();
}

bool GlyphFonts::confirms(GfxFont& font, XRef* xref, CharCode code, const Unicode* u, int uLen) {
    if (!u || uLen != 1) return false;
    const Unicode claimed = u[0];
    Ref embedded;
    if (isTrueType(font.getType()) && font.getEmbeddedFontID(&embedded)) {
        // The glyph drawn is chosen by glyph id: the font's own cmap must give it the claimed
        // character (or, for a space, any space).
        const TrueType* tt = trueTypeOf(font, xref);
        if (!tt || tt->unicodeCmap < 0) return false;
        const int gid = tt->identity                  ? static_cast<int>(code)
                        : code < tt->codeToGID.size() ? tt->codeToGID[code]
                                                      : 0;
        if (gid <= 0 || gid >= tt->glyphCount) return false;  // .notdef or nothing drawn
        if (tt->program->mapCodeToGID(tt->unicodeCmap, claimed) == gid) return true;
        return isSpace(claimed) && (tt->program->mapCodeToGID(tt->unicodeCmap, 0x20) == gid ||
                                    tt->program->mapCodeToGID(tt->unicodeCmap, 0xA0) == gid);
    }
    // CID-keyed fonts other than embedded TrueType have no glyph names to ask.
    if (font.isCIDFont()) return false;
    // Simple fonts: the glyph is found by the name the encoding gives the code (a standard 14
    // font drawn by the viewer's own font; an embedded Type 1 or CFF program's glyph of that
    // name).
    char** names = static_cast<Gfx8BitFont&>(font).getEncoding();
    const auto named = nameToUnicode(names ? names[code & 0xFF] : nullptr);
    return named && (*named == claimed || (isSpace(*named) && isSpace(claimed)));
}

}  // namespace firmante::renewal
