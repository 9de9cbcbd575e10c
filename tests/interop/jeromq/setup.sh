#!/usr/bin/env bash
# Installs what the JeroMQ interop tests drive: Debian's JeroMQ (libjeromq-java, 0.3.6, which
# speaks ZMTP 2.0) and a JDK, then compiles Peer.java into the cache directory the tests use:
# $PUREZMQ_JEROMQ_BUILD, else ~/.cache/purezmq/jeromq. The jar is $PUREZMQ_JEROMQ_JAR, else
# /usr/share/java/jeromq.jar. Without apt-get (or root) and no java, it says so and exits 0:
# the tests then skip with that reason.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
jar="${PUREZMQ_JEROMQ_JAR:-/usr/share/java/jeromq.jar}"
build="${PUREZMQ_JEROMQ_BUILD:-$HOME/.cache/purezmq/jeromq}"
if [ ! -f "$jar" ] || ! command -v javac >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libjeromq-java default-jdk-headless
    else
        echo "tests/interop/jeromq/setup.sh: JeroMQ or javac missing and no apt-get as root;" \
            "the JeroMQ interop tests will skip"
        exit 0
    fi
fi
mkdir -p "$build"
javac -d "$build" -cp "$jar" "$here/Peer.java"
echo "JeroMQ peer built in $build against $jar"
