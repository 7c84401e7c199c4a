# The token flows of issue 11 on one kind of token: the CLI flow per key type and the manual's
# 12-step renewal against the reference portal, each run through `fixture`, a script that makes
# the token and runs the flow on it. Exit 77 from the fixture (packages missing) is reported as
# skipped, never as passed.
#   firmante_token_flow_tests(<prefix> <fixture> [RESOURCE_LOCK <name>] [SLOW_UNWIND]
#                             [AGENT_RENEWAL_TYPES <type>...])
# registers <prefix>.CliFlow.<type>, <prefix>.Renewal.rsa-2048 (`firmante renew --direct`) and,
# for each AGENT_RENEWAL_TYPES, <prefix>.RenewalViaAgent.<type>: the 12 steps through the real
# firmante-agent, its PIN prompts answered by the scripted pinentry and counted.
function(firmante_token_flow_tests prefix fixture)
    cmake_parse_arguments(PARSE_ARGV 2 arg "SLOW_UNWIND" "RESOURCE_LOCK" "AGENT_RENEWAL_TYPES")
    set(flows ${CMAKE_CURRENT_FUNCTION_LIST_DIR})
    set(lock)
    if(arg_RESOURCE_LOCK)
        set(lock RESOURCE_LOCK ${arg_RESOURCE_LOCK})
    endif()
    if(TARGET firmante)
        foreach(type rsa-2048 ec-p256 ec-p384)
            add_test(NAME ${prefix}.CliFlow.${type}
                     COMMAND ${fixture} ${flows}/tpm-cli-flow.sh $<TARGET_FILE:firmante> ${type})
            set_tests_properties(${prefix}.CliFlow.${type} PROPERTIES TIMEOUT 180
                                 SKIP_RETURN_CODE 77 ${lock})
            # Under ASan, tpm2-pkcs11's ECDSA C_Sign leaks a decoded ASN.1 string from inside
            # OpenSSL, whose frames have no frame pointers: only the slow unwinder reaches the
            # module's frames that tests/sanitizers/lsan.supp names. These few processes can pay it.
            if(arg_SLOW_UNWIND AND CMAKE_CXX_FLAGS MATCHES "-fsanitize=[^ ]*address")
                set_tests_properties(${prefix}.CliFlow.${type} PROPERTIES
                                     ENVIRONMENT "ASAN_OPTIONS=fast_unwind_on_malloc=0")
            endif()
        endforeach()
    endif()
    if(TARGET firmante AND TARGET firmante-portal)
        add_test(NAME ${prefix}.Renewal.rsa-2048
                 COMMAND ${fixture} ${flows}/tpm-renew.sh $<TARGET_FILE:firmante>
                         $<TARGET_FILE:firmante-portal> rsa-2048 direct)
        set_tests_properties(${prefix}.Renewal.rsa-2048 PROPERTIES TIMEOUT 300 SKIP_RETURN_CODE 77
                             ${lock})
    endif()
    if(TARGET firmante AND TARGET firmante-portal AND TARGET firmante-agent
       AND TARGET firmante_fake_pinentry)
        foreach(type IN LISTS arg_AGENT_RENEWAL_TYPES)
            add_test(NAME ${prefix}.RenewalViaAgent.${type}
                     COMMAND ${fixture} ${flows}/tpm-renew.sh $<TARGET_FILE:firmante>
                             $<TARGET_FILE:firmante-portal> ${type} agent
                             $<TARGET_FILE:firmante-agent> $<TARGET_FILE:firmante_fake_pinentry>)
            set_tests_properties(${prefix}.RenewalViaAgent.${type} PROPERTIES TIMEOUT 300
                                 SKIP_RETURN_CODE 77 ${lock})
            if(arg_SLOW_UNWIND AND CMAKE_CXX_FLAGS MATCHES "-fsanitize=[^ ]*address")
                set_tests_properties(${prefix}.RenewalViaAgent.${type} PROPERTIES
                                     ENVIRONMENT "ASAN_OPTIONS=fast_unwind_on_malloc=0")
            endif()
        endforeach()
    endif()
endfunction()
