// The tray icon on a desktop with a StatusNotifier host (KDE, GNOME with the AppIndicator
// extension): firmante-agent --tray under Xvfb, on a private D-Bus session bus where a watcher
// of our own (SniWatcher.cpp) says a host is registered. Qt then registers a StatusNotifierItem
// instead of an XEmbed icon. What is asserted is what a host reads with a D-Bus client of its
// own (busctl): the registration the watcher received, the item's properties, its dbusmenu
// layout with Firmante's entries, a click on "Salir de Firmante" sent as a host sends it, and a
// certificate near its expiry announced through the desktop's notification service.
// Exit 77 (skipped, never passed) when dbus-daemon or busctl is missing.
#include <gtest/gtest.h>

#include <sys/wait.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <optional>
#include <thread>

#include <nlohmann/json.hpp>

#include "AgentProcess.h"
#include "DbusSession.h"
#include "TestPki.h"
#include "XvfbServer.h"
#include "firmante/testing/Eventually.h"

using namespace firmante::agent::testing;
using firmante::pkcs11::KeyType;
using firmante::testing::DbusSession;
using firmante::testing::LineChild;
using firmante::testing::Xvfb;
using nlohmann::json;
using firmante::testing::eventually;

namespace {

// One com.canonical.dbusmenu item: (ia{sv}av) as busctl prints it in JSON.
struct MenuItem {
    int id = 0;
    std::string label;
    bool enabled = true;
    bool submenu = false;
    std::vector<MenuItem> children;
};

MenuItem menuItem(const json& triple) {
    MenuItem item;
    item.id = triple.at(0).get<int>();
    const auto& props = triple.at(1);
    if (props.contains("label")) item.label = props["label"]["data"].get<std::string>();
    if (props.contains("enabled")) item.enabled = props["enabled"]["data"].get<bool>();
    item.submenu =
        props.contains("children-display") && props["children-display"]["data"] == "submenu";
    for (const auto& child : triple.at(2)) item.children.push_back(menuItem(child.at("data")));
    return item;
}

// Depth first: the order a host shows the entries in.
void flatten(const MenuItem& item, std::vector<const MenuItem*>& out) {
    for (const auto& child : item.children) {
        out.push_back(&child);
        flatten(child, out);
    }
}

class XvfbSni : public ::testing::Test {
  protected:
    // A certificate valid for `validFor`, a site the person allowed, the watcher (with or
    // without a host) and then the agent: Qt asks whether a host exists when the icon is made.
    void startDesktop(std::chrono::hours validFor, bool host = true) {
        cert = provisionCertificate(hsm, ca, "Desktop Key", KeyType::Rsa2048, validFor);
        firmante::testing::writeFile(agent.config().string(),
                                     R"({"allowedOrigins":["https://idse.imss.example"]})");
        std::vector<std::string> args{FIRMANTE_SNI_WATCHER};
        if (!host) args.push_back("--no-host");
        watcher.emplace(
            args, std::map<std::string, std::string>{{"DBUS_SESSION_BUS_ADDRESS", bus.address()}},
            dir.path() / "watcher.err");
        ASSERT_EQ(watcher->waitForLine([](const std::string& l) { return l == "ready"; }), "ready")
            << firmante::testing::readFile((dir.path() / "watcher.err").string());
        agent.start({"--tray"});
    }
    // The item the watcher recorded: "item SERVICE PATH", waited for as a host waits for the
    // StatusNotifierItemRegistered signal.
    bool waitForItem() {
        const auto line =
            watcher->waitForLine([](const std::string& l) { return l.rfind("item ", 0) == 0; },
                                 std::chrono::seconds(30));
        if (line.empty()) return false;
        const auto space = line.find(' ', 5);
        service = line.substr(5, space - 5);
        path = line.substr(space + 1);
        return true;
    }
    // busctl on the private bus, its answer as JSON (null when it failed).
    json tryBusctl(std::vector<std::string> args) {
        args.insert(args.begin(), {"timeout", "30", "busctl", "--address=" + bus.address(),
                                   "--json=short", "--"});
        const auto r = firmante::testing::run(args);
        return r.exitCode == 0 ? json::parse(r.out, nullptr, false) : json();
    }
    // The same where failing is not expected.
    json busctl(const std::vector<std::string>& args) {
        auto r = tryBusctl(args);
        EXPECT_FALSE(r.is_null()) << ::testing::PrintToString(args);
        return r;
    }
    // The agent's connections to the bus (their unique names, as the bus knows their process).
    std::vector<std::string> agentConnections() {
        std::vector<std::string> out;
        const auto names = busctl({"call", "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                   "org.freedesktop.DBus", "ListNames"});
        for (const auto& name : names.at("data").at(0)) {
            const auto n = name.get<std::string>();
            if (n.rfind(":", 0) != 0) continue;
            // busctl's own earlier connections may be gone by now.
            const auto pid =
                tryBusctl({"call", "org.freedesktop.DBus", "/org/freedesktop/DBus",
                           "org.freedesktop.DBus", "GetConnectionUnixProcessID", "s", n});
            if (!pid.is_null() && pid.at("data").at(0).get<long>() == agent.pid()) out.push_back(n);
        }
        return out;
    }
    // Those of them that serve a StatusNotifierItem at /StatusNotifierItem. Qt registers that
    // object inside QSystemTrayIcon::show(), before the agent's thread starts and so before its
    // socket listens: once the socket accepts connections, the answer is settled.
    std::vector<std::string> agentItems() {
        std::vector<std::string> out;
        for (const auto& connection : agentConnections()) {
            if (!tryBusctl({"get-property", connection, "/StatusNotifierItem",
                            "org.kde.StatusNotifierItem", "Id"})
                     .is_null())
                out.push_back(connection);
        }
        return out;
    }
    json itemProperty(const std::string& name) {
        return busctl({"get-property", service, path, "org.kde.StatusNotifierItem", name})
            .value("data", json());
    }
    // The menu as a host reads it before showing it: AboutToShow, then the whole layout.
    MenuItem menu() {
        const auto menuPath = itemProperty("Menu").get<std::string>();
        busctl({"call", service, menuPath, "com.canonical.dbusmenu", "AboutToShow", "i", "0"});
        const auto layout = busctl({"call", service, menuPath, "com.canonical.dbusmenu",
                                    "GetLayout", "iias", "0", "-1", "0"});
        return menuItem(layout.at("data").at(1));
    }
    std::vector<std::string> labels(const MenuItem& root) {
        std::vector<const MenuItem*> all;
        flatten(root, all);
        std::vector<std::string> out;
        for (const auto* item : all) out.push_back(item->label);
        return out;
    }
    static const MenuItem* find(const MenuItem& root, const std::string& start) {
        std::vector<const MenuItem*> all;
        flatten(root, all);
        for (const auto* item : all)
            if (item->label.rfind(start, 0) == 0) return item;
        return nullptr;
    }
    // A host's click on an entry.
    void click(int id) {
        busctl({"call", service, itemProperty("Menu").get<std::string>(), "com.canonical.dbusmenu",
                "Event", "isvu", std::to_string(id), "clicked", "s", "", "0"});
    }
    std::string watcherOutput() {
        watcher->drain();
        std::string out;
        for (const auto& l : watcher->lines()) out += l + "\n";
        return out;
    }

    Xvfb x;
    firmante::testing::TempDir dir{"firmante-xvfb-sni"};
    DbusSession bus{dir.path()};
    firmante::testing::SoftHsmToken hsm{"Desktop Token"};
    TestCa ca;
    std::optional<LineChild> watcher;
    // Only the private bus: the agent must not reach a desktop of the machine running the test.
    AgentProcess agent{dir,
                       hsm,
                       {{"DISPLAY", x.display()},
                        {"FIRMANTE_PINENTRY", ""},
                        {"LANG", "es_MX.UTF-8"},
                        {"DBUS_SESSION_BUS_ADDRESS", bus.address()}}};
    ProvisionedCertificate cert;
    std::string service, path;
};

}  // namespace

TEST_F(XvfbSni, TheAgentRegistersAnItemWhosePropertiesAndMenuAHostReads) {
    startDesktop(std::chrono::hours(24 * 400));
    ASSERT_TRUE(waitForItem()) << "the watcher received no RegisterStatusNotifierItem:\n"
                               << watcherOutput();
    // Qt registers with its connection's unique name (no well-known name in Qt 6.4), which
    // belongs to the agent's process.
    EXPECT_EQ(service.rfind(":", 0), 0u) << service;
    EXPECT_EQ(path, "/StatusNotifierItem");
    const auto pid = busctl({"call", "org.freedesktop.DBus", "/org/freedesktop/DBus",
                             "org.freedesktop.DBus", "GetConnectionUnixProcessID", "s", service});
    EXPECT_EQ(pid.at("data").at(0).get<long>(), static_cast<long>(agent.pid()));
    EXPECT_EQ(agentItems(), std::vector<std::string>{service}) << "one item, this one";
    // What a host that starts later reads from the watcher.
    const auto items =
        busctl({"get-property", "org.kde.StatusNotifierWatcher", "/StatusNotifierWatcher",
                "org.kde.StatusNotifierWatcher", "RegisteredStatusNotifierItems"});
    EXPECT_EQ(items.value("data", json()), json::array({service + path}));

    EXPECT_EQ(itemProperty("Id"), "firmante");
    EXPECT_EQ(itemProperty("Title"), "firmante");
    EXPECT_EQ(itemProperty("Category"), "ApplicationStatus");
    EXPECT_EQ(itemProperty("Status"), "Active");
    EXPECT_EQ(itemProperty("Menu"), "/MenuBar");
    // ToolTip is (icon name, icon pixmaps, title, text): the title is the agent's tooltip, once
    // the token is seen.
    json tip;
    EXPECT_TRUE(eventually([&] {
        tip = itemProperty("ToolTip");
        return tip.is_array() && tip.size() == 4 &&
               tip[2] == "Firmante — Token «Desktop Token» conectado";
    })) << tip.dump();
    // The icon travels as pixels (a(iiay), ARGB32): every size Firmante draws, none empty.
    const auto pixmaps = itemProperty("IconPixmap");
    std::vector<int> sizes;
    for (const auto& p : pixmaps) {
        sizes.push_back(p.at(0).get<int>());
        EXPECT_EQ(p.at(0), p.at(1));
        EXPECT_EQ(p.at(2).size(), 4u * p.at(0).get<std::size_t>() * p.at(1).get<std::size_t>());
    }
    for (const int size : {16, 22, 24, 32, 48})
        EXPECT_NE(std::find(sizes.begin(), sizes.end(), size), sizes.end())
            << size << " in " << pixmaps.size() << " pixmaps";

    // The menu once the certificates are read (no PIN: they are public objects).
    MenuItem root;
    ASSERT_TRUE(eventually([&] {
        root = menu();
        return find(root, "    Desktop Key — vigente hasta ") != nullptr;
    })) << ::testing::PrintToString(labels(root));
    const auto* heading = find(root, "Firmante — Token conectado");
    ASSERT_NE(heading, nullptr) << ::testing::PrintToString(labels(root));
    EXPECT_FALSE(heading->enabled);
    const auto* token = find(root, "Token «Desktop Token»");
    ASSERT_NE(token, nullptr);
    EXPECT_FALSE(token->enabled) << "information, not a command";
    EXPECT_EQ(find(root, "    ⚠"), nullptr) << "400 days left: nothing to announce";
    const auto* sites = find(root, "Sitios permitidos (1)");
    ASSERT_NE(sites, nullptr);
    EXPECT_TRUE(sites->submenu);
    ASSERT_EQ(sites->children.size(), 1u);
    EXPECT_EQ(sites->children[0].label, "Quitar el permiso a https://idse.imss.example");
    EXPECT_TRUE(sites->children[0].enabled);
    const auto* activity = find(root, "Actividad reciente");
    ASSERT_NE(activity, nullptr);
    EXPECT_TRUE(activity->submenu);
    for (const char* action : {"Abrir la bitácora", "English", "Salir de Firmante"}) {
        const auto* entry = find(root, action);
        ASSERT_NE(entry, nullptr) << action;
        EXPECT_TRUE(entry->enabled) << action;
    }
    EXPECT_EQ(root.children.back().label, "Salir de Firmante");
}

TEST_F(XvfbSni, EnglishAndThenQuitClickedThroughTheExportedMenuStopTheAgentCleanly) {
    startDesktop(std::chrono::hours(24 * 400));
    ASSERT_TRUE(waitForItem()) << watcherOutput();
    MenuItem root;
    ASSERT_TRUE(eventually([&] {
        root = menu();
        return find(root, "    Desktop Key — vigente hasta ") != nullptr;
    })) << ::testing::PrintToString(labels(root));
    const auto* english = find(root, "English");
    ASSERT_NE(english, nullptr);
    click(english->id);
    const MenuItem* quit = nullptr;
    ASSERT_TRUE(eventually([&] {
        root = menu();
        quit = find(root, "Quit Firmante");
        return quit != nullptr;
    })) << "the menu did not switch to English: "
        << ::testing::PrintToString(labels(root));
    EXPECT_NE(find(root, "Allowed sites (1)"), nullptr);
    EXPECT_EQ(find(root, "Salir de Firmante"), nullptr) << "one language at a time";
    click(quit->id);
    const auto status = agent.waitForExit(std::chrono::seconds(10));
    ASSERT_TRUE(status) << "the agent still runs after Quit";
    // Under ASan, status 1 with "Indirect leak" of QPlatformMenuItem objects from
    // TrayIcon::rebuildMenu: the dbusmenu items of the menu deleted at exit (and of the
    // submenus dropped at each redraw), which Qt frees only when an alive QMenu loses the action.
    EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0) << *status;
    const auto log = firmante::testing::readFile((agent.stateDir() / "agent.log").string());
    EXPECT_NE(log.find("stopping: Quit in the tray menu"), std::string::npos);
    EXPECT_NE(log.find("] stopped"), std::string::npos) << "a clean stop, to the end";
    // The item leaves the bus with the agent: the watcher sees its name go.
    EXPECT_EQ(watcher->waitForLine([&](const std::string& l) { return l == "gone " + service; }),
              "gone " + service);
}

// A host sends Activate(x, y) for a left click and gives the item no geometry (Qt drops x, y):
// the menu opens at the pointer. Before, it opened only for an icon with an XEmbed geometry, so
// a left click on a StatusNotifier desktop did nothing.
TEST_F(XvfbSni, ALeftClickOnTheItemOpensTheMenu) {
    startDesktop(std::chrono::hours(24 * 400));
    ASSERT_TRUE(waitForItem()) << watcherOutput();
    const auto menuWindows = [&] {
        const auto r = firmante::testing::run(
            {"timeout", "30", "xdotool", "search", "--onlyvisible", "--class", "^firmante$"}, {},
            {{"DISPLAY", x.display()}});
        return r.out;
    };
    EXPECT_EQ(menuWindows(), "") << "nothing is open before the click";
    busctl({"call", service, path, "org.kde.StatusNotifierItem", "Activate", "ii", "200", "150"});
    EXPECT_TRUE(eventually([&] { return !menuWindows().empty(); }))
        << "no window of class firmante appeared after Activate"
        << firmante::testing::run({"xwininfo", "-root", "-tree"}, {}, {{"DISPLAY", x.display()}})
               .out
        << firmante::testing::readFile(agent.stderrFile().string());
}

TEST_F(XvfbSni, ACertificateNearItsExpiryIsAnnouncedThroughTheNotificationService) {
    startDesktop(std::chrono::hours(24 * 12));
    ASSERT_TRUE(waitForItem()) << watcherOutput();
    const auto note =
        watcher->waitForLine([](const std::string& l) { return l.rfind("notify ", 0) == 0; });
    EXPECT_EQ(note.rfind("notify Firmante\tSu certificado «Desktop Key» vence en 12 días, el ", 0),
              0u)
        << watcherOutput();
    MenuItem root;
    EXPECT_TRUE(eventually([&] {
        root = menu();
        return find(root, "    ⚠ Vence en 12 días (") != nullptr;
    })) << ::testing::PrintToString(labels(root));
}

// Qt's own choice, which decides what a person on XFCE or MATE gets: with a watcher but no host
// it makes no item (it falls back to XEmbed). The same test with a host finds the item
// (agentItems() in the first test).
TEST_F(XvfbSni, WithoutAHostNoItemIsRegistered) {
    startDesktop(std::chrono::hours(24 * 400), false);
    EXPECT_FALSE(agentConnections().empty()) << "Qt looked at the session bus";
    EXPECT_EQ(agentItems(), std::vector<std::string>{}) << "and registered no item";
    EXPECT_EQ(watcherOutput().find("item "), std::string::npos) << watcherOutput();
}

int main(int argc, char** argv) {
    ::testing::InitGoogleTest(&argc, argv);
    if (!GTEST_FLAG_GET(list_tests)) {
        for (const char* program : {"dbus-daemon", "busctl", "Xvfb"}) {
            if (!firmante::testing::onPath(program)) {
                std::printf("skipped: %s is not installed (Debian: dbus, systemd, xvfb)\n",
                            program);
                return 77;
            }
        }
    }
    return RUN_ALL_TESTS();
}
