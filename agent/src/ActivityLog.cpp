#include "firmante/agent/ActivityLog.h"

#include "firmante/prompt/SafeText.h"
#include "firmante/protocol/MethodTable.h"

namespace firmante::agent {

void ActivityLog::add(Activity activity) {
    if (capacity_ == 0) return;
    entries_.push_front(std::move(activity));
    while (entries_.size() > capacity_) entries_.pop_back();
}

bool describeActivity(const std::string& method, const std::string& origin,
                      const std::string& fileName, std::size_t count,
                      std::chrono::system_clock::time_point when, Activity& out) {
    // Past tense, "usted" implied: the person reads what they approved. The lines are the
    // methods' rows in protocol/methods.json; a method without one is not listed.
    const auto* row = protocol::methods::find(method);
    if (row == nullptr || row->activityEs.empty()) return false;
    auto withCount = [count](std::string_view text) {
        std::string out(text);
        if (const auto at = out.find("{count}"); at != std::string::npos)
            out.replace(at, 7, std::to_string(count));
        return out;
    };
    Activity activity;
    activity.what = {withCount(row->activityEs), withCount(row->activityEn)};
    activity.when = when;
    activity.site = prompt::safeText(origin, prompt::kShownOrigin);
    if (!fileName.empty())
        activity.fileName =
            prompt::safeText(fileName, prompt::kShownFileName, prompt::Shorten::Middle);
    out = std::move(activity);
    return true;
}

}  // namespace firmante::agent
