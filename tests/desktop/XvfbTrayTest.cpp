// The tray icon in a real tray: firmante-agent --tray under Xvfb next to trayer (an XEmbed tray,
// as many desktops still have). What is asserted is what other programs see: the tray's panel
// window gains a child whose WM_CLASS is Firmante's (xwininfo, xprop), a click on it opens a
// menu window, and the menu's picture, read back by OCR (tesseract), names the token and the
// certificate about to expire. Quit in that menu stops the agent cleanly.
#include <gtest/gtest.h>

#include <spawn.h>

#include <chrono>
#include <cstdlib>
#include <future>
#include <regex>
#include <thread>

#include "AgentClient.h"
#include "AgentProcess.h"
#include "TestPki.h"
#include "XvfbServer.h"
#include "firmante/agent/Base64.h"
#include "firmante/testing/Eventually.h"
#include "firmante/testing/Process.h"

extern char** environ;

using namespace firmante::agent::testing;
using firmante::pkcs11::KeyType;
using firmante::testing::ProcessResult;
using firmante::testing::Xvfb;
using firmante::testing::eventually;

namespace {

// trayer on the X server: a panel at the top right that embeds icons (the XEmbed system tray
// protocol, _NET_SYSTEM_TRAY_S0).
class Trayer {
  public:
    explicit Trayer(const std::string& display) {
        pid_ = ::fork();
        if (pid_ == 0) {
            ::setenv("DISPLAY", display.c_str(), 1);
            const int devnull = ::open("/dev/null", O_WRONLY);
            ::dup2(devnull, 1);
            ::dup2(devnull, 2);
            ::execlp("trayer", "trayer", "--edge", "top", "--align", "right", "--widthtype",
                     "pixel", "--width", "200", "--heighttype", "pixel", "--height", "32",
                     "--SetDockType", "true", static_cast<char*>(nullptr));
            ::_exit(127);
        }
    }
    ~Trayer() {
        ::kill(pid_, SIGTERM);
        ::waitpid(pid_, nullptr, 0);
    }

  private:
    pid_t pid_ = -1;
};

struct Geometry {
    int x = 0, y = 0, width = 0, height = 0;
};

class XvfbTray : public ::testing::Test {
  protected:
    void SetUp() override {
        // Twelve days left: the menu must announce it.
        cert = provisionCertificate(hsm, ca, "Desktop Key", KeyType::Rsa2048,
                                    std::chrono::hours(24 * 12));
        firmante::testing::writeFile(agent.config().string(),
                                     R"({"allowedOrigins":["https://idse.imss.example"]})");
        const auto found = tool({"xdotool", "search", "--sync", "--classname", "^panel$"});
        ASSERT_EQ(found.exitCode, 0) << "trayer's panel did not appear: " << found.err;
        panel = found.out.substr(0, found.out.find('\n'));
        agent.start({"--tray"});
    }
    ProcessResult tool(std::vector<std::string> args) {
        // A window that never comes is a failure within 30 s, not a hang until ctest's timeout.
        args.insert(args.begin(), {"timeout", "30"});
        return firmante::testing::run(args, {}, {{"DISPLAY", x.display()}});
    }
    Geometry geometryOf(const std::string& window) {
        const auto out = tool({"xdotool", "getwindowgeometry", window}).out;
        std::smatch m;
        Geometry g;
        if (std::regex_search(out, m, std::regex(R"(Position: (-?\d+),(-?\d+))"))) {
            g.x = std::stoi(m[1]);
            g.y = std::stoi(m[2]);
        }
        if (std::regex_search(out, m, std::regex(R"(Geometry: (\d+)x(\d+))"))) {
            g.width = std::stoi(m[1]);
            g.height = std::stoi(m[2]);
        }
        return g;
    }
    // The window trayer embedded for Firmante: a child of its panel with Firmante's WM_CLASS.
    std::string embeddedIcon() {
        const auto tree = tool({"xwininfo", "-tree", "-id", panel}).out;
        std::smatch m;
        static const std::regex kFirmante(
            R"((0x[0-9a-f]+) "[^"]*": \("firmante-agent" "firmante"\))");
        return std::regex_search(tree, m, kFirmante) ? m[1].str() : std::string();
    }
    // The menu: a visible window of Firmante's class other than the icon, taller than a line.
    std::string openMenu(const std::string& icon) {
        const auto g = geometryOf(icon);
        EXPECT_EQ(tool({"xdotool", "mousemove", "--sync", std::to_string(g.x + g.width / 2),
                        std::to_string(g.y + g.height / 2), "click", "1"})
                      .exitCode,
                  0);
        std::string menu;
        eventually([&] {
            const auto found =
                tool({"xdotool", "search", "--onlyvisible", "--class", "^firmante$"}).out;
            for (std::size_t at = 0, end; (end = found.find('\n', at)) != std::string::npos;
                 at = end + 1) {
                const auto id = found.substr(at, end - at);
                if (std::stoul(id) != std::stoul(icon, nullptr, 16) && geometryOf(id).height > 100)
                    menu = id;
            }
            return !menu.empty();
        });
        return menu;
    }
    // The menu's picture (the screen cropped to it), and what OCR reads in it. Qt may map the
    // window a moment before it paints: read again until all of `expected` show or the deadline.
    std::string readMenu(const std::string& menu, const std::vector<std::string>& expected) {
        const auto g = geometryOf(menu);
        const auto png = (dir / "tray-menu.png").string();
        const auto big = (dir / "tray-menu-ocr.png").string();
        std::string text;
        eventually([&] {
            tool({"import", "-window", "root", "-crop",
                  std::to_string(g.width) + "x" + std::to_string(g.height) + "+" +
                      std::to_string(g.x) + "+" + std::to_string(g.y),
                  "+repage", png});
            // Four times larger, then grey to black: tesseract reads menu-sized text that way.
            // Anti-aliased glyphs fall differently at each cut: try three.
            for (const char* cut : {"65%", "55%", "75%"}) {
                tool({"convert", png, "-colorspace", "Gray", "-resize", "400%", "-threshold", cut,
                      big});
                text = tool({"tesseract", big, "stdout"}).out;
                bool all = true;
                for (const auto& e : expected) all = all && text.find(e) != std::string::npos;
                if (all) return true;
            }
            return false;
        });
        if (const char* keep = std::getenv("FIRMANTE_TRAY_SCREENSHOT")) tool({"cp", png, keep});
        return text;
    }

    // Pixels of the "waiting for you" dot's orange in the icon as the screen shows it.
    int orangePixels(const std::string& icon) {
        const auto g = geometryOf(icon);
        const auto png = (dir / "icon.png").string();
        tool({"import", "-window", "root", "-crop",
              std::to_string(g.width) + "x" + std::to_string(g.height) + "+" + std::to_string(g.x) +
                  "+" + std::to_string(g.y),
              "+repage", png});
        const auto pixels = tool({"convert", png, "txt:-"}).out;
        int count = 0;
        for (std::size_t at = 0; (at = pixels.find("#F08C00", at)) != std::string::npos; ++at)
            ++count;
        return count;
    }
    // Every visible window of Firmante's class but the ones named.
    std::vector<std::string> otherWindows(const std::vector<std::string>& known) {
        std::vector<std::string> out;
        const auto found =
            tool({"xdotool", "search", "--onlyvisible", "--class", "^firmante$"}).out;
        for (std::size_t at = 0, end; (end = found.find('\n', at)) != std::string::npos;
             at = end + 1) {
            const auto id = found.substr(at, end - at);
            bool seen = false;
            for (const auto& k : known)
                seen = seen ||
                       std::stoul(id) == std::stoul(k, nullptr, k.rfind("0x", 0) == 0 ? 16 : 10);
            if (!seen) out.push_back(id);
        }
        return out;
    }

    Xvfb x;
    Trayer trayer{x.display()};
    firmante::testing::TempDir dir{"firmante-xvfb-tray"};
    firmante::testing::SoftHsmToken hsm{"Desktop Token"};
    TestCa ca;
    AgentProcess agent{
        dir, hsm, {{"DISPLAY", x.display()}, {"FIRMANTE_PINENTRY", ""}, {"LANG", "es_MX.UTF-8"}}};
    ProvisionedCertificate cert;
    std::string panel;
};

}  // namespace

TEST_F(XvfbTray, TheIconIsEmbeddedInARealTrayAndItsMenuShowsTheTokenAndTheExpiringCertificate) {
    std::string icon;
    ASSERT_TRUE(eventually([&] { return !(icon = embeddedIcon()).empty(); }))
        << "no child of trayer's panel has Firmante's WM_CLASS:\n"
        << tool({"xwininfo", "-tree", "-id", panel}).out;
    const auto wmClass = tool({"xprop", "-id", icon, "WM_CLASS"});
    EXPECT_EQ(wmClass.out, "WM_CLASS(STRING) = \"firmante-agent\", \"firmante\"\n");
    const auto menu = openMenu(icon);
    ASSERT_FALSE(menu.empty()) << "no menu opened on a click on the icon";
    const auto text = readMenu(
        menu, {"Token «Desktop Token»", "Desktop Key", "Vence en 12 d", "Salir de Firmante"});
    // The bold grey heading ("Firmante — Token conectado") reads unreliably by OCR; the lines
    // below are what the person needs.
    EXPECT_NE(text.find("Token «Desktop Token»"), std::string::npos) << text;
    EXPECT_NE(text.find("Desktop Key"), std::string::npos) << "the certificate:\n" << text;
    EXPECT_NE(text.find("Vence en 12 d"), std::string::npos) << "its expiry announced:\n" << text;
    EXPECT_NE(text.find("Salir de Firmante"), std::string::npos) << text;
    EXPECT_EQ(tool({"xdotool", "key", "Escape"}).exitCode, 0);
}

TEST_F(XvfbTray, QuitInTheTrayMenuStopsTheAgentCleanly) {
    std::string icon;
    ASSERT_TRUE(eventually([&] { return !(icon = embeddedIcon()).empty(); }));
    ASSERT_FALSE(openMenu(icon).empty());
    // Up from the top of a menu is its last item: "Salir de Firmante".
    EXPECT_EQ(tool({"xdotool", "key", "Up", "Return"}).exitCode, 0);
    const auto status = agent.waitForExit(std::chrono::seconds(10));
    ASSERT_TRUE(status) << "the agent still runs after Quit";
    EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0) << *status;
    const auto log = firmante::testing::readFile((agent.stateDir() / "agent.log").string());
    EXPECT_NE(log.find("stopping: Quit in the tray menu"), std::string::npos);
    EXPECT_NE(log.find("] stopped"), std::string::npos) << "a clean stop, to the end";
}

TEST_F(XvfbTray, TheIconSaysWaitingWhileTheDialogIsOpenAndTheSignatureShowsInRecentActivity) {
    std::string icon;
    ASSERT_TRUE(eventually([&] { return !(icon = embeddedIcon()).empty(); }));
    ASSERT_TRUE(eventually([&] { return orangePixels(icon) == 0; }));
    AgentClient client(agent.socket());
    client.hello();
    const std::string document = "Contrato firmado con el ícono en la bandeja.\n";
    auto response = std::async(std::launch::async, [&] {
        return client.call("documents.sign",
                           {{"certificate", cert.uri},
                            {"document", firmante::agent::base64Encode(std::vector<unsigned char>(
                                             document.begin(), document.end()))},
                            {"fileName", "contrato.txt"}});
    });
    const auto dialog =
        tool({"xdotool", "search", "--sync", "--onlyvisible", "--name", "PIN de Desktop Token"});
    ASSERT_EQ(dialog.exitCode, 0) << dialog.err;
    EXPECT_TRUE(eventually([&] { return orangePixels(icon) > 4; }))
        << "the icon shows the question waiting (orange dot)";
    const auto id = dialog.out.substr(0, dialog.out.find('\n'));
    EXPECT_EQ(tool({"xdotool", "windowfocus", "--sync", id}).exitCode, 0);
    EXPECT_EQ(tool({"xdotool", "type", "--delay", "20", "123456"}).exitCode, 0);
    EXPECT_EQ(tool({"xdotool", "key", "Return"}).exitCode, 0);
    const auto r = response.get();
    ASSERT_TRUE(r.contains("result")) << r.dump();
    EXPECT_TRUE(eventually([&] { return orangePixels(icon) == 0; })) << "answered: no dot";

    const auto menu = openMenu(icon);
    ASSERT_FALSE(menu.empty());
    // From the top, Up walks the enabled items from the bottom: Salir, English, Abrir la
    // bitácora, Actividad reciente; Right opens that submenu.
    EXPECT_EQ(tool({"xdotool", "key", "Up", "Up", "Up", "Up", "Right"}).exitCode, 0);
    std::string submenu;
    ASSERT_TRUE(eventually([&] {
        const auto others = otherWindows({icon, menu});
        submenu = others.empty() ? std::string() : others.front();
        return !submenu.empty();
    })) << "the recent activity submenu did not open";
    const auto text = readMenu(submenu, {"el documento «contrato.txt»", "local"});
    // OCR reads "ó" and "·" loosely; the words and the file name it reads exactly.
    EXPECT_NE(text.find("el documento «contrato.txt»"), std::string::npos) << text;
    EXPECT_NE(text.find("local"), std::string::npos) << "the site (the CLI's origin): " << text;
    EXPECT_EQ(tool({"xdotool", "key", "Escape", "Escape"}).exitCode, 0);
}
