// DESIGN §3 rule 4: a letter that does not state the key this renewal generated (or, for the terms
// letter, the hash of the acceptance letter signed before) is refused before any prompt, and
// nothing is signed.
#include "PdfLetter.h"
#include "RenewalFixture.h"
#include "firmante/pkcs11/Certificate.h"

namespace firmante::renewal::testing {
namespace {

using nlohmann::json;

class RenewalLetter : public RenewalFixture {
  protected:
    void SetUp() override {
        RenewalFixture::SetUp();
        if (HasFatalFailure()) return;
        const json begun = begin();
        id_ = begun.at("renewalId");
        hex_ = begun.at("spkiHex");
        auth_.clear();
    }

    void expectMismatch(const std::string& stage, const pkcs11::Bytes& letter) {
        const std::string before = manager().status(id_).at("state");
        const auto e = errorOf([&] {
            manager().signLetter(token(), auth_, kOrigin, id_, stage, letter, "carta.pdf");
        });
        ASSERT_TRUE(e);
        EXPECT_EQ(e->reason(), pkcs11::Reason::LetterMismatch) << e->what();
        EXPECT_NE(std::string(e->what()).find("No se firmó nada"), std::string::npos) << e->what();
        EXPECT_EQ(auth_.calls(), 0u) << "the person was prompted for a wrong letter";
        EXPECT_FALSE(token().loggedIn());
        EXPECT_EQ(manager().status(id_).at("state"), before);
    }

    /// Advances to the terms letter, returning the acceptance letter that was signed.
    pkcs11::Bytes reachTerms() {
        const pkcs11::Bytes letter1 = acceptanceLetter(hex_);
        signAcceptance(id_, letter1);
        prove(id_);
        install(id_);
        auth_.clear();
        return letter1;
    }

    std::string id_;
    std::string hex_;
};

TEST_F(RenewalLetter, AcceptanceLetterWithoutTheNewKeyIsRefusedUnsigned) {
    expectMismatch("acceptance", makePdfLetter({"Carta de Aceptacion de Renovacion",
                                                "Llave Publica Nueva", "(sin llave)"}));
    // The right letter still goes through afterwards.
    EXPECT_NO_THROW(signAcceptance(id_, acceptanceLetter(hex_)));
}

TEST_F(RenewalLetter, AcceptanceLetterWithAForeignKeyIsRefusedUnsigned) {
    expectMismatch("acceptance", acceptanceLetter(foreignSpkiHex()));
}

TEST_F(RenewalLetter, AcceptanceLetterWithOnlyPartOfTheKeyIsRefused) {
    const std::string half = hex_.substr(0, hex_.size() / 2);
    expectMismatch("acceptance", acceptanceLetter(half));
}

TEST_F(RenewalLetter, AcceptanceLetterNamingAnotherKeyAsNewIsRefusedEvenIfItShowsOursElsewhere) {
    std::vector<std::string> lines = {"Carta de Aceptacion de Renovacion", "Llave Publica Nueva"};
    for (auto& l : wrapHex(foreignSpkiHex())) lines.push_back(l);
    lines.push_back("Llave Publica Anterior");
    for (auto& l : wrapHex(hex_)) lines.push_back(l);
    expectMismatch("acceptance", makePdfLetter(lines));
}

TEST_F(RenewalLetter, AcceptanceLetterNamingAnotherOldKeyIsRefused) {
    std::vector<std::string> lines = {"Carta de Aceptacion de Renovacion", "Llave Publica Nueva"};
    for (auto& l : wrapHex(hex_)) lines.push_back(l);
    lines.push_back("Llave Publica Anterior");
    for (auto& l : wrapHex(foreignSpkiHex())) lines.push_back(l);
    expectMismatch("acceptance", makePdfLetter(lines));
}

TEST_F(RenewalLetter, AcceptanceLetterWhoseNewKeyRunsOnPastOursIsRefused) {
    expectMismatch("acceptance", acceptanceLetter(hex_ + " 02 03 01 00 01"));
}

TEST_F(RenewalLetter, BytesThatAreNotAPdfAreRefusedAsMismatch) {
    const std::string text = "Llave Publica Nueva " + hex_;
    expectMismatch("acceptance", pkcs11::Bytes(text.begin(), text.end()));
}

TEST_F(RenewalLetter, KeyWrappedOverManyShortLinesIsStillRecognised) {
    std::vector<std::string> lines = {"Carta de Aceptacion", "Llave Publica Nueva"};
    for (auto& l : wrapHex(hex_, 3)) lines.push_back(l);
    const json r = signAcceptance(id_, makePdfLetter(lines));
    EXPECT_FALSE(r.at("cms").get<std::string>().empty());
}

TEST_F(RenewalLetter, TermsLetterWithAWrongPreviousLetterHashIsRefusedUnsigned) {
    const pkcs11::Bytes letter1 = reachTerms();
    pkcs11::Bytes other = letter1;
    other.push_back('\n');  // a different acceptance letter: its SHA-1 differs
    expectMismatch("terms", termsLetter(hex_, upperHex(pkcs11::sha1(other))));
}

TEST_F(RenewalLetter, TermsLetterWithoutThePreviousLetterHashIsRefusedUnsigned) {
    reachTerms();
    expectMismatch("terms", termsLetter(hex_, "SIN CADENA"));
}

TEST_F(RenewalLetter, TermsLetterWithAForeignKeyIsRefusedUnsigned) {
    const pkcs11::Bytes letter1 = reachTerms();
    expectMismatch("terms", termsLetter(foreignSpkiHex(), upperHex(pkcs11::sha1(letter1))));
    EXPECT_NO_THROW(signTerms(id_, termsLetter(hex_, upperHex(pkcs11::sha1(letter1)))));
}

}  // namespace
}  // namespace firmante::renewal::testing
