#include "firmante/agent/ActivityLog.h"

#include <map>

#include "firmante/prompt/SafeText.h"

namespace firmante::agent {

void ActivityLog::add(Activity activity) {
    if (capacity_ == 0) return;
    entries_.push_front(std::move(activity));
    while (entries_.size() > capacity_) entries_.pop_back();
}

bool describeActivity(const std::string& method, const std::string& origin,
                      const std::string& fileName, std::size_t count,
                      std::chrono::system_clock::time_point when, Activity& out) {
    // Past tense, "usted" implied: the person reads what they approved.
    static const std::map<std::string, prompt::Bilingual> kWhat{
        {"documents.sign", {"Firmó el documento", "Signed the document"}},
        {"renewal.sign_letter", {"Firmó la carta de renovación", "Signed the renewal letter"}},
        {"auth.sign_challenge",
         {"Inició sesión con su certificado", "Logged in with your certificate"}},
        {"renewal.prove_possession",
         {"Demostró tener la llave nueva", "Proved you hold the new key"}},
        {"renewal.begin", {"Generó una llave nueva", "Generated a new key"}},
        {"renewal.install_certificate",
         {"Guardó el certificado nuevo", "Stored the new certificate"}},
        {"renewal.finish", {"Terminó la renovación", "Finished the renewal"}},
        {"renewal.cancel", {"Canceló la renovación", "Cancelled the renewal"}},
    };
    Activity activity;
    if (method == "documents.sign_batch") {
        activity.what = {"Firmó " + std::to_string(count) + " documentos",
                         "Signed " + std::to_string(count) + " documents"};
    } else if (auto it = kWhat.find(method); it != kWhat.end()) {
        activity.what = it->second;
    } else {
        return false;
    }
    activity.when = when;
    activity.site = prompt::safeText(origin, prompt::kShownOrigin);
    if (!fileName.empty())
        activity.fileName =
            prompt::safeText(fileName, prompt::kShownFileName, prompt::Shorten::Middle);
    out = std::move(activity);
    return true;
}

}  // namespace firmante::agent
