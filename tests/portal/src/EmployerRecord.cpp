#include "firmante/portal/EmployerRecord.h"

#include <stdexcept>

namespace firmante::portal {

X509NamePtr EmployerRecord::subject() const {
    X509NamePtr name(X509_NAME_new());
    auto add = [&](const char* field, const std::string& value) {
        if (X509_NAME_add_entry_by_txt(name.get(), field, MBSTRING_UTF8,
                                       reinterpret_cast<const unsigned char*>(value.c_str()), -1,
                                       -1, 0) != 1)
            throwOpenSsl(std::string("X509_NAME_add_entry_by_txt ") + field);
    };
    add("C", "MX");
    add("O", razonSocial);
    add("CN", representanteLegal());
    add("UID", usuario);
    add("serialNumber", curp);
    return name;
}

nlohmann::json EmployerRecord::toJson() const {
    return {
        {"razonSocial", razonSocial},
        {"registroPatronal", registroPatronal},
        {"rfc", rfc},
        {"usuario", usuario},
        {"npie", npie},
        {"nombres", nombres},
        {"apellidoPaterno", apellidoPaterno},
        {"apellidoMaterno", apellidoMaterno},
        {"representanteLegal", representanteLegal()},
        {"curp", curp},
        {"correo", correo},
        {"domicilioFiscal",
         {{"entidadFederativa", entidadFederativa},
          {"ciudad", ciudad},
          {"municipio", municipio},
          {"calle", calle},
          {"numeroExterior", numeroExterior},
          {"numeroInterior", numeroInterior},
          {"codigoPostal", codigoPostal},
          {"colonia", colonia}}},
        {"telefono", telefono},
        {"fax", fax},
        {"editable", {"correo", "telefono", "fax"}},
    };
}

}  // namespace firmante::portal
