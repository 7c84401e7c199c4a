// Issue 9 §1, DESIGN §3 rule 4: the letter check judges what a PDF viewer draws. Every hostile
// letter of the corpus (tests/letters/make_letters.py: the rendered page shows a foreign key or
// letter hash under its heading, or could be drawn differently by another viewer) is refused with
// LETTER_MISMATCH before any prompt, nothing is signed and the renewal stays where it was; every
// honest layout variant (other fonts, line breaks, two columns, a frame, an unspaced key, fonts
// with an honest /ToUnicode map, an embedded TrueType font) is signed and its CMS verifies with
// OpenSSL. A letter whose font's /ToUnicode names other characters than its glyphs draw
// (*tounicode*) is refused because its font does not confirm them. Each case runs on its own
// SoftHSM token and renewal, with letters written for that renewal's key.
#include <filesystem>
#include <fstream>
#include <sstream>

#include "RenewalFixture.h"
#include "firmante/pkcs11/Certificate.h"
#include "firmante/testing/Process.h"

namespace firmante::renewal::testing {
namespace {

using nlohmann::json;

struct Case {
    std::string name;
    bool hostile;
    bool terms;
};

// ctest names the case; the default printer would dump its bytes.
void PrintTo(const Case& c, std::ostream* os) {
    *os << c.name;
}

std::vector<Case> corpus() {
    const auto listed = firmante::testing::run({"python3", FIRMANTE_LETTER_SCRIPT, "--list"});
    if (listed.exitCode != 0) throw std::runtime_error("make_letters.py --list: " + listed.err);
    std::vector<Case> cases;
    std::istringstream lines(listed.out);
    for (std::string name, kind, stage; lines >> name >> kind >> stage;)
        if (kind == "hostile" || kind == "variant")
            cases.push_back({name, kind == "hostile", stage == "terms"});
    return cases;
}

std::string caseName(const ::testing::TestParamInfo<Case>& info) {
    std::string out;
    for (char c : info.param.name)
        out.push_back(std::isalnum(static_cast<unsigned char>(c)) ? c : '_');
    return out;
}

class RenewalLetterCorpus : public RenewalFixture, public ::testing::WithParamInterface<Case> {
  protected:
    pkcs11::Bytes letter(const std::string& previousSha1) {
        const auto out = work_ / (GetParam().name + ".pdf");
        const auto made = firmante::testing::run(
            {"python3", FIRMANTE_LETTER_SCRIPT, "--case", GetParam().name, "--new", hex_, "--old",
             pkcs11::spkiHex(oldKey_.spki), "--foreign", foreignSpkiHex(), "--previous",
             previousSha1, "--out", out.string()});
        if (made.exitCode != 0) throw std::runtime_error("make_letters.py: " + made.err);
        const std::string bytes = firmante::testing::readFile(out.string());
        return pkcs11::Bytes(bytes.begin(), bytes.end());
    }
    std::string hex_;
};

TEST_P(RenewalLetterCorpus, HostileLettersAreRefusedUnsignedAndVariantsAreSigned) {
    const json begun = begin();
    const std::string id = begun.at("renewalId");
    hex_ = begun.at("spkiHex");
    std::string previous;
    std::string stage = "acceptance";
    if (GetParam().terms) {
        signAcceptance(id, acceptanceLetter(hex_));
        prove(id);
        install(id);
        previous = upperHex(pkcs11::sha1(acceptanceLetters.at(id)));
        stage = "terms";
    }
    const pkcs11::Bytes pdf = letter(previous);
    auth_.clear();
    reopenToken();
    const std::string before = manager().status(id).at("state");

    if (GetParam().hostile) {
        const auto e = errorOf(
            [&] { manager().signLetter(token(), auth_, kOrigin, id, stage, pdf, "carta.pdf"); });
        ASSERT_TRUE(e) << "a hostile letter was signed";
        EXPECT_EQ(e->reason(), pkcs11::Reason::LetterMismatch) << e->what();
        EXPECT_NE(std::string(e->what()).find("No se firmó nada"), std::string::npos) << e->what();
        // A font whose /ToUnicode lies is refused for that reason, not by accident.
        if (GetParam().name.find("tounicode") != std::string::npos) {
            EXPECT_NE(std::string(e->what()).find("fuente cuyos caracteres no se pueden verificar"),
                      std::string::npos)
                << e->what();
        }
        EXPECT_EQ(auth_.calls(), 0u) << "the person was prompted for a hostile letter";
        EXPECT_FALSE(token().loggedIn());
        EXPECT_EQ(manager().status(id).at("state"), before);
        return;
    }
    const json signedLetter =
        manager().signLetter(token(), auth_, kOrigin, id, stage, pdf, "carta.pdf");
    const pkcs11::Bytes cms = decodeBase64(signedLetter.at("cms").get<std::string>());
    std::string error;
    EXPECT_EQ(opensslVerify(pdf, cms, !GetParam().terms, &error), 0) << error;
    EXPECT_NE(manager().status(id).at("state"), before);
}

INSTANTIATE_TEST_SUITE_P(Corpus, RenewalLetterCorpus, ::testing::ValuesIn(corpus()), caseName);

}  // namespace
}  // namespace firmante::renewal::testing
