#pragma once

// The entry point of firmante-desktop.so (agent/desktop/src/DesktopMain.cpp), which firmante-agent
// opens with dlopen in a graphical session. Its own copy of the agent core runs the agent with
// Qt dialogs and the tray icon; returns the agent's exit status. argc/argv go to QApplication.
extern "C" {
int firmante_desktop_main_v1(int argc, char** argv);
typedef int (*FirmanteDesktopMainFn)(int argc, char** argv);
}
