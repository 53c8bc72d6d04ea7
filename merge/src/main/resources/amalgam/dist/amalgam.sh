#!/bin/sh
# amalgam — launcher of a bundle written by `amalgam dist`: runs the command line on the Java runtime inside
# the bundle, so the machine needs neither a JDK nor Maven (nor JAVA_HOME, nor java on the PATH).
#
#   bin/amalgam [COMMAND] [OPTIONS]     (bin/amalgam --help lists the commands)
#
# Environment: AMALGAM_JAVA_OPTS, extra JVM options (e.g. -Xmx16g), split on spaces.
set -eu

# The bundle's root: this script's directory's parent, following symbolic links to the script.
script=$0
while [ -h "$script" ]; do
    link=$(ls -ld "$script" | sed 's/.* -> //')
    case $link in
        /*) script=$link ;;
        *) script=$(dirname "$script")/$link ;;
    esac
done
BUNDLE=$(cd "$(dirname "$script")/.." && pwd -P)
JAVA="$BUNDLE/runtime/bin/java"

if [ ! -x "$JAVA" ]; then
    echo "amalgam: error: $JAVA is missing; the bundle is incomplete (write it again with amalgam dist)" >&2
    exit 1
fi

# The source commit the bundle was built from, recorded in study results and --version.
COMMIT=$(cat "$BUNDLE/COMMIT" 2>/dev/null || true)

# The JVM announces the incubating Vector API on every start; users need not read that each time. POSIX sh has
# no process substitution and no pipefail, so java's stderr goes through a filter loop while its exit status
# travels out on descriptor 4; stdout stays untouched on descriptor 3.
filter_incubator_warning() {
    while IFS= read -r line || [ -n "$line" ]; do
        case $line in
            "WARNING: Using incubator modules"*) ;;
            *) printf '%s\n' "$line" ;;
        esac
    done
}

# Without set +e a failing java would end the subshell before its status is reported.
set +e
# shellcheck disable=SC2086 # AMALGAM_JAVA_OPTS is split on purpose
{ status=$( { { "$JAVA" ${AMALGAM_JAVA_OPTS:-} \
        --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED \
        -Damalgam.home="$BUNDLE" -Damalgam.java="$JAVA" -Damalgam.commit="$COMMIT" \
        -cp "$BUNDLE/lib/*" amalgam.merge.cli.AmalgamCommand "$@" \
        2>&1 1>&3 3>&- 4>&-; echo $? >&4; } | filter_incubator_warning >&2; } 4>&1 ); } 3>&1
exit "$status"
