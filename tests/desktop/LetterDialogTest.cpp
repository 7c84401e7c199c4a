// The letter dialog: the portal's real letter drawn by poppler-qt6, the new key highlighted
// where the letter check found it, and nothing to sign when the letter cannot be drawn.
#include <gtest/gtest.h>

#include <algorithm>

#include <QLabel>
#include <QPushButton>
#include <QTest>

#include "DialogFixtures.h"
#include "firmante/desktop/LetterView.h"
#include "firmante/desktop/PromptDialog.h"

using firmante::desktop::Language;
using firmante::desktop::LetterView;
using firmante::desktop::PromptDialog;
namespace fx = firmante::testing;

namespace {

// The page of the letter that carries boxes, shown; -1 when none does.
int showPageWithBoxes(LetterView& view) {
    for (int i = 0; i < view.pageCount(); ++i) {
        view.showPage(i);
        if (view.highlightsOnPage() > 0) return i;
    }
    return -1;
}

QImage onScreen(LetterView& view) {
    auto* page = view.findChild<QLabel*>("letterPage");
    return page->grab().toImage();
}

}  // namespace

TEST(LetterDialog, ALetterTheCheckRefusedForAnotherKeyHasNothingHighlighted) {
    EXPECT_TRUE(fx::portalLetter().boxesOfAnotherKey.empty());
    PromptDialog dialog(fx::letterConfirmation(fx::portalLetter(), false),
                        PromptDialog::Mode::Confirm, Language::Spanish);
    dialog.show();
    auto& view = *dialog.letterView();
    ASSERT_TRUE(view.rendered());
    EXPECT_EQ(showPageWithBoxes(view), -1);
    EXPECT_EQ(fx::highlightedPixels(onScreen(view)), 0);
}

TEST(LetterDialog, RendersThePortalLetterWithTheNewKeyHighlighted) {
    PromptDialog dialog(fx::letterConfirmation(fx::portalLetter()), PromptDialog::Mode::Confirm,
                        Language::Spanish);
    dialog.show();
    auto& view = *dialog.letterView();
    ASSERT_TRUE(view.rendered());
    EXPECT_EQ(view.currentPage(), 0) << "the letter opens at its first page";
    EXPECT_EQ(view.image().width(), LetterView::kPageWidth);
    const int page = showPageWithBoxes(view);
    ASSERT_GE(page, 0) << "the new key is found on a page";
    // Every box the check found is drawn, one per line of the key's block.
    EXPECT_EQ(view.highlightsOnPage(), static_cast<int>(fx::portalLetter().boxesOfItsKey.size()));
    EXPECT_GE(view.highlightsOnPage(), 8);
    EXPECT_GT(fx::highlightedPixels(onScreen(view)), 2000) << "yellow is drawn on the page";
    for (const char* text :
         {"Revise la carta antes de firmarla.", "Archivo: CartadeAceptaciondeRenovacion.pdf",
          "Verificación: La carta muestra, bajo «Llave Pública Nueva»",
          "Huella de la llave nueva: 3f2a 91c0", "no se pide el PIN"}) {
        EXPECT_TRUE(dialog.shownText().contains(QString::fromUtf8(text)))
            << text << "\n"
            << dialog.shownText().toStdString();
    }
    EXPECT_EQ(dialog.acceptButton()->text(), "Firmar carta");
    EXPECT_TRUE(dialog.acceptButton()->isEnabled());
    EXPECT_TRUE(dialog.acceptButton()->isDefault());
    QTest::keyClick(&dialog, Qt::Key_Escape);
    EXPECT_EQ(dialog.result(), QDialog::Rejected);
}

TEST(LetterDialog, EnglishLetterDialogSaysTheSameInEnglishOnly) {
    PromptDialog dialog(fx::letterConfirmation(fx::portalLetter()), PromptDialog::Mode::Confirm,
                        Language::English);
    dialog.show();
    for (const char* text :
         {"Check the letter before you sign it.", "File:", "New key fingerprint: 3f2a",
          "Check: The letter shows, under “Llave Pública Nueva”, the key generated on your token.",
          "no PIN is asked"}) {
        EXPECT_TRUE(dialog.shownText().contains(QString::fromUtf8(text)))
            << text << "\n"
            << dialog.shownText().toStdString();
    }
    EXPECT_FALSE(dialog.shownText().contains("Archivo"));
    EXPECT_FALSE(dialog.shownText().contains("La carta muestra")) << "the check in English only";
    EXPECT_EQ(dialog.acceptButton()->text(), "Sign letter");
    // The language button switches the check with everything else.
    QTest::mouseClick(dialog.languageButton(), Qt::LeftButton);
    EXPECT_TRUE(dialog.shownText().contains(
        QString::fromUtf8("Verificación: La carta muestra, bajo «Llave Pública Nueva»")));
    EXPECT_FALSE(dialog.shownText().contains("The letter shows"));
    EXPECT_EQ(dialog.acceptButton()->text(), "Firmar carta");
}

TEST(LetterDialog, BytesThatAreNotADrawableLetterCannotBeSigned) {
    fx::Letter broken;
    const std::string junk = "%PDF-1.7\nthis is not a letter";
    broken.pdf = std::make_shared<const std::vector<unsigned char>>(junk.begin(), junk.end());
    PromptDialog dialog(fx::letterConfirmation(broken), PromptDialog::Mode::Confirm,
                        Language::Spanish);
    dialog.show();
    EXPECT_FALSE(dialog.letterView()->rendered());
    EXPECT_FALSE(dialog.acceptButton()->isEnabled()) << "what you sign is what you see";
    auto* page = dialog.letterView()->findChild<QLabel*>("letterPage");
    EXPECT_TRUE(page->text().contains("No se pudo mostrar la carta"));
    QTest::keyClick(&dialog, Qt::Key_Return);
    EXPECT_NE(dialog.result(), QDialog::Accepted);
}

// Issue 12 §2: the highlights are where the letter check found the new key, not wherever the
// key's text is. A copy a reader does not see — white text on another page, or text under a
// white fill below the honest block — is found by a text search, but it is never boxed.
class LetterHiddenCopy : public ::testing::TestWithParam<bool> {};

TEST_P(LetterHiddenCopy, OnlyTheVisibleKeyBlockIsBoxed) {
    const fx::HiddenCopyLetter letter = fx::hiddenCopyLetter(GetParam());
    PromptDialog dialog(letter.text, PromptDialog::Mode::Confirm, Language::Spanish);
    dialog.show();
    auto& view = *dialog.letterView();
    ASSERT_TRUE(view.rendered());
    constexpr double kSlack = 0.006;  // about 5 points of an A4 page's height
    const double line = 14 / 841.89;
    int boxed = 0;
    double highest = 1, lowest = 0;
    for (int p = 0; p < view.pageCount(); ++p) {
        view.showPage(p);
        const double height = view.image().height();
        for (const QRectF& r : view.highlightRects()) {
            ++boxed;
            const double top = r.top() / height, bottom = r.bottom() / height;
            const bool onHidden =
                p == letter.hiddenPage && bottom > letter.hiddenTop && top < letter.hiddenBottom;
            EXPECT_FALSE(onHidden)
                << "the hidden copy is boxed on page " << p + 1 << " at " << top << "–" << bottom;
            EXPECT_EQ(p, letter.visiblePage) << "a box on page " << p + 1;
            EXPECT_GE(top, letter.visibleTop - kSlack);
            EXPECT_LE(bottom, letter.visibleBottom + kSlack);
            if (p == letter.visiblePage) {
                highest = std::min(highest, top);
                lowest = std::max(lowest, bottom);
            }
        }
        if (p != letter.visiblePage) {
            EXPECT_EQ(fx::highlightedPixels(onScreen(view)), 0) << "yellow on page " << p + 1;
        }
    }
    // The honest block is boxed from its first line to its last.
    EXPECT_GE(boxed, 8);
    EXPECT_LE(highest, letter.visibleTop + line);
    EXPECT_GE(lowest, letter.visibleBottom - line);
}

INSTANTIATE_TEST_SUITE_P(LetterDialog, LetterHiddenCopy, ::testing::Bool(),
                         [](const ::testing::TestParamInfo<bool>& info) {
                             return info.param ? std::string("WhiteTextOnAnotherPage")
                                               : std::string("CoveredByAFillBelowTheBlock");
                         });
