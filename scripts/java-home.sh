# Sourced by ./lycoris and scripts/test. Defines lycoris_use_jdk25: points JAVA_HOME at a JDK >= 25
# (JAVA_HOME itself when it is one, else the newest under /usr/lib/jvm or the javac on PATH), or says what
# to install and returns 1.

LYCORIS_MIN_JAVA=25

# The major version of the JDK at $1 ("25" for 25.0.3, "8" for 1.8.0), or nothing if it is not a JDK.
lycoris_jdk_major() {
    local home="$1" version=""
    [ -x "$home/bin/java" ] && [ -x "$home/bin/javac" ] || return 0
    if [ -f "$home/release" ]; then
        version=$(sed -n 's/^JAVA_VERSION="\(.*\)"/\1/p' "$home/release")
    fi
    if [ -z "$version" ]; then
        version=$("$home/bin/java" -version 2>&1 | sed -n 's/.*version "\([^"]*\)".*/\1/p' | head -n 1)
    fi
    version="${version#1.}"
    version="${version%%[.+-]*}"
    case "$version" in
        '' | *[!0-9]*) return 0 ;;
    esac
    echo "$version"
}

lycoris_use_jdk25() {
    local candidate major best="" best_major=0
    if [ -n "${JAVA_HOME:-}" ]; then
        major=$(lycoris_jdk_major "$JAVA_HOME")
        if [ -n "$major" ] && [ "$major" -ge "$LYCORIS_MIN_JAVA" ]; then
            export JAVA_HOME
            return 0
        fi
    fi
    local path_javac=""
    if command -v javac >/dev/null 2>&1; then
        path_javac=$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")
    fi
    for candidate in /usr/lib/jvm/* $path_javac; do
        [ -d "$candidate" ] || continue
        major=$(lycoris_jdk_major "$candidate")
        if [ -n "$major" ] && [ "$major" -ge "$LYCORIS_MIN_JAVA" ] && [ "$major" -gt "$best_major" ]; then
            best="$candidate"
            best_major="$major"
        fi
    done
    if [ -z "$best" ]; then
        echo "lycoris: needs a JDK $LYCORIS_MIN_JAVA or newer (JAVA_HOME=${JAVA_HOME:-unset}, none found in /usr/lib/jvm or on PATH)." >&2
        echo "lycoris: install one, e.g. Temurin 25 (https://adoptium.net) or Debian/Ubuntu's 'sudo apt-get install openjdk-25-jdk', or set JAVA_HOME." >&2
        return 1
    fi
    export JAVA_HOME="$best"
    return 0
}
