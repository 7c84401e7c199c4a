#pragma once

#include "firmante/portal/OpenSslHandles.h"

#include <nlohmann/json.hpp>

#include <string>

namespace firmante::portal {

/// The employer data "on file" (manual, step 3). Only e-mail, phone and fax
/// are editable during a renewal.
struct EmployerRecord {
    std::string razonSocial = "PRUEBA 4";
    std::string registroPatronal = "A064878710-7";
    std::string rfc = "AUA881212566";
    std::string usuario = "A064878710";
    std::string npie = "A0648787102";
    std::string nombres = "PRUEBA 4";
    std::string apellidoPaterno = "PRUEBA 4";
    std::string apellidoMaterno = "PRUEBA 4";
    std::string curp = "AAPR630321HDFLRC09";
    std::string correo = "miguel.mendez@softtek.com";
    std::string entidadFederativa = "Campeche";
    std::string ciudad = "PRUEBA";
    std::string municipio = "PRUEBA";
    std::string calle = "PRUEBA";
    std::string numeroExterior = "2";
    std::string numeroInterior = "1";
    std::string codigoPostal = "56465";
    std::string colonia = "PRUEBA";
    std::string telefono = "464645456";
    std::string fax = "21313213212";

    /// The manual's sample employer ("PRUEBA 4").
    static EmployerRecord demo() { return {}; }

    std::string representanteLegal() const {
        return nombres + " " + apellidoPaterno + " " + apellidoMaterno;
    }

    /// Subject of the employer's certificates:
    /// CN=<representante>, UID=<usuario>, O=<razón social>, C=MX, serialNumber=<CURP>.
    /// The login check derives the user from UID.
    X509NamePtr subject() const;

    nlohmann::json toJson() const;
};

}  // namespace firmante::portal
