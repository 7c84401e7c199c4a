// The dialogs need a QApplication on the main thread, as in the agent. Offscreen unless the
// caller chose a platform (e.g. xcb under Xvfb to look at them).
#include <gtest/gtest.h>

#include <QApplication>

int main(int argc, char** argv) {
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    QApplication::setApplicationName("firmante");
    ::testing::InitGoogleTest(&argc, argv);
    return RUN_ALL_TESTS();
}
