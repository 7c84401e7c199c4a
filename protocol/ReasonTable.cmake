# Generates the C++ view of protocol/reasons.json, the one table of error reasons (issue 10):
#   <out>/firmante/protocol/ReasonEnums.h  enum Reason, the words as constants, enum ExitCode
#   <out>/firmante/protocol/ReasonTable.inc  one ReasonInfo row per reason (for Reasons.cpp)
# CMake reads the JSON itself (string(JSON), CMake >= 3.19), so no generator program is needed;
# an edit of reasons.json re-runs the configure step.

function(_firmante_camel word out)
    string(TOLOWER "${word}" lower)
    string(REPLACE "_" ";" parts "${lower}")
    set(name "")
    foreach(part IN LISTS parts)
        string(SUBSTRING "${part}" 0 1 head)
        string(SUBSTRING "${part}" 1 -1 tail)
        string(TOUPPER "${head}" head)
        string(APPEND name "${head}${tail}")
    endforeach()
    set(${out} "${name}" PARENT_SCOPE)
endfunction()

# The index of the last row of the JSON array `member` (the tables are never empty).
function(_firmante_json_last json member out)
    string(JSON count LENGTH "${json}" ${member})
    math(EXPR last "${count} - 1")
    set(${out} ${last} PARENT_SCOPE)
endfunction()

function(_firmante_cxx_string text out)
    string(REPLACE "\\" "\\\\" text "${text}")
    string(REPLACE "\"" "\\\"" text "${text}")
    set(${out} "\"${text}\"" PARENT_SCOPE)
endfunction()

function(firmante_generate_reason_table json_file out_dir)
    set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${json_file}")
    file(READ "${json_file}" json)
    set(banner "// Generated from protocol/reasons.json by protocol/ReasonTable.cmake: edit the JSON.\n")

    set(exit_enum "")
    string(JSON exit_count LENGTH "${json}" exitCodes)
    math(EXPR exit_last "${exit_count} - 1")
    foreach(i RANGE ${exit_last})
        string(JSON key MEMBER "${json}" exitCodes ${i})
        string(JSON value GET "${json}" exitCodes ${key})
        string(SUBSTRING "${key}" 0 1 head)
        string(SUBSTRING "${key}" 1 -1 tail)
        string(TOUPPER "${head}" head)
        string(APPEND exit_enum "    ${head}${tail} = ${value},\n")
    endforeach()

    set(enum_rows "")
    set(word_rows "")
    set(table_rows "")
    _firmante_json_last("${json}" reasons last)
    foreach(i RANGE ${last})
        string(JSON word GET "${json}" reasons ${i} word)
        string(JSON code GET "${json}" reasons ${i} code)
        string(JSON retriable GET "${json}" reasons ${i} retriable)
        string(JSON exit GET "${json}" reasons ${i} exit)
        string(JSON from GET "${json}" reasons ${i} from)
        string(JSON es GET "${json}" reasons ${i} es)
        string(JSON en GET "${json}" reasons ${i} en)
        string(JSON exit_value ERROR_VARIABLE missing GET "${json}" exitCodes ${exit})
        if(missing)
            message(FATAL_ERROR "reasons.json: ${word} names exit class '${exit}', which exitCodes lacks")
        endif()
        if(NOT from MATCHES "^(agent|link|cli)$")
            message(FATAL_ERROR "reasons.json: ${word} has from '${from}' (agent, link or cli)")
        endif()
        if(retriable STREQUAL "ON")
            set(retriable true)
        elseif(retriable STREQUAL "OFF")
            set(retriable false)
        endif()
        _firmante_camel("${word}" name)
        string(SUBSTRING "${exit}" 0 1 head)
        string(SUBSTRING "${exit}" 1 -1 tail)
        string(TOUPPER "${head}" head)
        string(SUBSTRING "${from}" 0 1 fhead)
        string(SUBSTRING "${from}" 1 -1 ftail)
        string(TOUPPER "${fhead}" fhead)
        _firmante_cxx_string("${es}" es_literal)
        _firmante_cxx_string("${en}" en_literal)
        string(APPEND enum_rows "    ${name},\n")
        string(APPEND word_rows "inline constexpr char ${name}[] = \"${word}\";\n")
        string(APPEND table_rows
            "    {Reason::${name}, words::${name}, ${code}, ${retriable}, ExitCode::${head}${tail},\n"
            "     Source::${fhead}${ftail}, ${es_literal},\n     ${en_literal}},\n")
    endforeach()

    file(CONFIGURE OUTPUT "${out_dir}/firmante/protocol/ReasonEnums.h" @ONLY CONTENT
"${banner}#pragma once

namespace firmante::protocol {

/// Every reason word of reasons.json, in its order.
enum class Reason {
${enum_rows}};

/// The words themselves, for code that passes a word as text (RpcError, CliError, …).
namespace words {
${word_rows}}  // namespace words

/// The CLI's exit status per class of reason (docs/cli.md).
enum class ExitCode : int {
    Ok = 0,
${exit_enum}};

}  // namespace firmante::protocol
")
    file(CONFIGURE OUTPUT "${out_dir}/firmante/protocol/ReasonTable.inc" @ONLY CONTENT
"${banner}${table_rows}")
endfunction()
