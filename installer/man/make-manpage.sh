#!/bin/sh
# Writes a man page from a program's own --help, so the page and the help never disagree
# (the help texts live in cli/src/Messages.cpp and DoctorMessages.cpp).
#
#   make-manpage.sh firmante       BINARY LANG OUT   one section per verb ("firmante help VERB")
#   make-manpage.sh firmante-agent BINARY LANG OUT
#
# LANG "en" gives the English page, "es" the Spanish one (the CLI's own language switch).
set -eu

name=$1 binary=$2 lang=$3 out=$4
case "$lang" in
    en) locale=en_US.UTF-8 ;;
    es) locale=es_MX.UTF-8 ;;
    *) echo "make-manpage.sh: language must be en or es" >&2; exit 2 ;;
esac
run() { LC_ALL=$locale LANG=$locale LC_MESSAGES=$locale "$binary" "$@"; }

version=$(sed -n 's/^project(firmante VERSION \([0-9.]*\).*/\1/p' "$(dirname "$0")/../../CMakeLists.txt")

# Plain text into roff: backslashes escaped, no line read as a request, kept as typed.
verbatim() {
    printf '.nf\n'
    sed -e 's/\\/\\e/g' -e "s/^\\([.']\\)/\\\\\\&\\1/" -e 's/^-/\\-/'
    printf '.fi\n'
}

if [ "$lang" = es ]; then
    h_name=NOMBRE h_synopsis=SINOPSIS h_desc=DESCRIPCIÓN h_verbs=ACCIONES h_env=ENTORNO
    h_see="VÉASE TAMBIÉN" w_verb=acción w_options=opciones
else
    h_name=NAME h_synopsis=SYNOPSIS h_desc=DESCRIPTION h_verbs=VERBS h_env=ENVIRONMENT
    h_see="SEE ALSO" w_verb=verb w_options=options
fi

{
    printf '.TH %s 1 "" "Firmante %s" "Firmante"\n' "$(echo "$name" | tr a-z A-Z)" "$version"
    printf '.SH %s\n' "$h_name"
    case "$name" in
        firmante)
            if [ "$lang" = es ]; then
                printf 'firmante \\- firma, claves y renovación de certificados en un token PKCS#11\n'
            else
                printf 'firmante \\- signing, keys and certificate renewal on a PKCS#11 token\n'
            fi
            printf '.SH %s\n.B firmante\n.I %s\n.RI [ %s ]\n' "$h_synopsis" "$w_verb" "$w_options"
            printf '.SH %s\n' "$h_desc"
            run --help | verbatim
            printf '.SH %s\n' "$h_verbs"
            # The verbs are the ones the overview lists: two spaces, a lower-case word, spaces.
            for verb in $(run --help | sed -n 's/^  \([a-z][a-z-]*\)  .*/\1/p'); do
                printf '.SS %s\n' "$verb"
                run help "$verb" | verbatim
            done
            ;;
        firmante-agent)
            if [ "$lang" = es ]; then
                printf 'firmante-agent \\- agente local de Firmante (JSON-RPC en un socket Unix)\n'
            else
                printf 'firmante-agent \\- the local Firmante agent (JSON-RPC on a Unix socket)\n'
            fi
            printf '.SH %s\n.B firmante-agent\n.RB [ \\-\\-version | \\-\\-help ]\n' "$h_synopsis"
            printf '.SH %s\n' "$h_desc"
            run --help | verbatim
            ;;
        *) echo "make-manpage.sh: unknown page $name" >&2; exit 2 ;;
    esac
    printf '.SH %s\n' "$h_see"
    if [ "$name" = firmante ]; then
        printf '.BR firmante-agent (1),\n'
    else
        printf '.BR firmante (1),\n'
    fi
    printf '.I /usr/share/doc/firmante/install.md\n'
} > "$out.tmp"
mv "$out.tmp" "$out"
