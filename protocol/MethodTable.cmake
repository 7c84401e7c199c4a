# Generates the C++ view of protocol/methods.json, the one table of JSON-RPC methods (issue 10 §2):
#   <out>/firmante/protocol/MethodTable.h  the names as constants and one MethodInfo row each
# Uses the helpers of ReasonTable.cmake (include it first); an edit of methods.json re-runs the
# configure step.

function(_firmante_bool value out)
    if(value STREQUAL "ON")
        set(${out} true PARENT_SCOPE)
    elseif(value STREQUAL "OFF")
        set(${out} false PARENT_SCOPE)
    else()
        message(FATAL_ERROR "methods.json: '${value}' is not true or false")
    endif()
endfunction()

function(firmante_generate_method_table json_file out_dir)
    set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${json_file}")
    file(READ "${json_file}" json)
    set(flags needsOrigin prompts extensionPages renewalStep endsRenewal changesCertificates)
    set(name_rows "")
    set(table_rows "")
    _firmante_json_last("${json}" methods last)
    foreach(i RANGE ${last})
        string(JSON method GET "${json}" methods ${i} name)
        if(NOT method MATCHES "^[a-z]+\\.[a-z_]+$")
            message(FATAL_ERROR "methods.json: '${method}' is not a name like group.verb_object")
        endif()
        set(values "")
        foreach(flag IN LISTS flags)
            string(JSON value GET "${json}" methods ${i} ${flag})
            _firmante_bool("${value}" value)
            string(APPEND values "${value}, ")
        endforeach()
        string(JSON es GET "${json}" methods ${i} activityEs)
        string(JSON en GET "${json}" methods ${i} activityEn)
        _firmante_cxx_string("${es}" es_literal)
        _firmante_cxx_string("${en}" en_literal)
        string(REPLACE "." "_" word "${method}")
        _firmante_camel("${word}" name)
        string(APPEND name_rows "inline constexpr char ${name}[] = \"${method}\";\n")
        string(APPEND table_rows "    MethodInfo{names::${name}, ${values}\n               ${es_literal}, ${en_literal}},\n")
    endforeach()

    file(CONFIGURE OUTPUT "${out_dir}/firmante/protocol/MethodTable.h" @ONLY CONTENT
"// Generated from protocol/methods.json by protocol/MethodTable.cmake: edit the JSON.
#pragma once

#include <array>
#include <string_view>

namespace firmante::protocol {

/// One row of methods.json: what every binary must agree on about a JSON-RPC method.
struct MethodInfo {
    std::string_view name;     // on the wire
    bool needsOrigin;          // false: any origin may call it, before consent
    bool prompts;              // may wait on a person (PIN, consent, a letter)
    bool extensionPages;       // the extension's own pages may call it without a question
    bool renewalStep;          // a step of a renewal
    bool endsRenewal;          // the renewal is over afterwards (finished or cancelled)
    bool changesCertificates;  // the token's certificates may differ afterwards
    std::string_view activityEs;  // the tray's recent-activity line; {count}: documents
    std::string_view activityEn;
};

/// The method names, for code that sends or registers one.
namespace methods::names {
${name_rows}}  // namespace methods::names

namespace methods {

/// Every method, in the table's order.
inline constexpr std::array kTable{
${table_rows}};

/// The row of a method name; nullptr for a name the table does not have.
constexpr const MethodInfo* find(std::string_view name) noexcept {
    for (const auto& row : kTable)
        if (row.name == name) return &row;
    return nullptr;
}

}  // namespace methods

}  // namespace firmante::protocol
")
endfunction()
