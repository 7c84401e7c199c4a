// Module::reinitialize (issue 11 §7): SoftHSM reads its token folder only at C_Initialize; a
// re-initialisation finds a token made since, and never happens under a login or a Use.
#include <gtest/gtest.h>

#include "TokenFixture.h"

using namespace firmante;
using namespace firmante::testing;
using Outcome = pkcs11::Module::Reinitialization::Outcome;

namespace {

class Reinitialize : public TokenFixture {};

}  // namespace

TEST_F(Reinitialize, WaitsForTheLoginToEndThenFindsATokenMadeSince) {
    softhsm_->addToken("Hecho Despues");
    EXPECT_EQ(module_->tokens().size(), 1u);  // SoftHSM has not read its folder again
    EXPECT_TRUE(module_->busy());
    EXPECT_EQ(module_->reinitialize().outcome, Outcome::Busy);
    EXPECT_TRUE(token().loggedIn());  // untouched
    EXPECT_FALSE(token().stale());

    token().logout();
    {
        const auto inUse = module_->use();
        EXPECT_EQ(module_->reinitialize().outcome, Outcome::Busy);
    }
    const auto done = module_->reinitialize();
    ASSERT_EQ(done.outcome, Outcome::Done) << done.error;
    EXPECT_TRUE(done.note.empty());  // SoftHSM printed nothing at load: stderr left alone
    EXPECT_TRUE(module_->initialized());
    const auto tokens = module_->tokens();
    ASSERT_EQ(tokens.size(), 2u);
    EXPECT_TRUE(token().stale());
}

// After a re-initialisation SoftHSM numbers sessions from 1 again: closing the dead session's
// handle would close someone else's. The stale session is left alone.
TEST_F(Reinitialize, ADeadSessionDoesNotCloseTheSessionThatGotItsHandle) {
    token().logout();
    const auto slot = token().slot();
    const auto oldHandle = token().session().handle();
    ASSERT_EQ(module_->reinitialize().outcome, Outcome::Done);
    pkcs11::Token fresh(module_, slot);
    EXPECT_EQ(fresh.session().handle(), oldHandle);  // the hazard is real on SoftHSM
    fresh.login(pkcs11::Secret(SoftHsmToken::kUserPin));
    token_.reset();  // the stale one goes
    EXPECT_TRUE(fresh.loggedIn());
}

// SoftHSM 2.6 has no slot events, yet answers CKR_NO_EVENT to CKF_DONT_BLOCK (and
// CKR_FUNCTION_NOT_SUPPORTED only to a blocking wait): the agent cannot tell it from a module that
// has them until one reports an event (TokenRegistry).
TEST_F(Reinitialize, SoftHsmAnswersNoEventWithoutBlocking) {
    EXPECT_EQ(module_->slotEvents(), pkcs11::Module::SlotEvents::None);
}
