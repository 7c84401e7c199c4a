#include "RenewalStep.h"
#include "firmante/protocol/MethodTable.h"

#include <array>

namespace firmante::renewal {

namespace {
struct StepText {
    RenewalStep step;
    std::string_view name;
    int manual;
    std::string_view description;
    std::string_view next;
};

constexpr std::array<StepText, 8> kSteps{{
    {RenewalStep::Generating, "generating", 4, "Generación de la llave nueva interrumpida",
     "renewal.begin con el mismo certificado (reanuda la generación de la llave)"},
    {RenewalStep::Begun, "begun", 4, "Llave nueva generada y solicitud (CSR) creada",
     "renewal.sign_letter con stage=acceptance"},
    {RenewalStep::AcceptanceSigned, "acceptanceSigned", 6,
     "Carta de Aceptación de Renovación firmada con el certificado actual",
     protocol::methods::names::RenewalProvePossession},
    {RenewalStep::PossessionProved, "possessionProved", 9, "Posesión de la llave nueva demostrada",
     protocol::methods::names::RenewalInstallCertificate},
    {RenewalStep::CertificateInstalled, "certificateInstalled", 9,
     "Certificado nuevo guardado en el token", "renewal.sign_letter con stage=terms"},
    {RenewalStep::TermsSigned, "termsSigned", 11,
     "Carta de Términos y Condiciones firmada con el certificado nuevo",
     protocol::methods::names::RenewalFinish},
    {RenewalStep::Finished, "finished", 12, "Renovación terminada",
     "nada: la renovación ya terminó"},
    {RenewalStep::Cancelled, "cancelled", 0, "Renovación cancelada; la llave nueva se borró",
     "nada: la renovación se canceló (puede empezar otra con renewal.begin)"},
}};

const StepText& text(RenewalStep step) noexcept {
    return kSteps[static_cast<std::size_t>(step)];
}
}  // namespace

std::string_view stepName(RenewalStep step) noexcept {
    return text(step).name;
}

std::optional<RenewalStep> parseStep(std::string_view name) noexcept {
    for (const auto& s : kSteps)
        if (s.name == name) return s.step;
    return std::nullopt;
}

int stepNumber(RenewalStep step) noexcept {
    return static_cast<int>(step);
}
int manualStep(RenewalStep step) noexcept {
    return text(step).manual;
}
std::string_view stepDescription(RenewalStep step) noexcept {
    return text(step).description;
}
std::string_view expectedNext(RenewalStep step) noexcept {
    return text(step).next;
}

}  // namespace firmante::renewal
