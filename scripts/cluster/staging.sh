# Sourced by scripts/spark-cluster.sh and flink-cluster.sh: which jars a submit ships.
#
# SLUICE_STAGING=split (the default): the dependency jar, runners/target/sluice-deps-HASH.jar, is
# copied once into the cache folder SLUICE_DEPS_CACHE (default: CLUSTER_HOME/sluice-deps), a path
# every node of the cluster reads (here the one machine; on a real cluster, shared storage mounted
# at the same path on each node); the job then ships only runners/target/sluice-code.jar. The
# jar's name is its content's hash, so a cached jar is never stale: new dependencies give a new
# name, copied on the next submit; a pom.xml newer than the built dependency jar (a dependency
# change built only with -Pcode-jar) stops the submit. SLUICE_STAGING=single ships
# runners/target/sluice.jar whole with every job.
#
# Sets SLUICE_JAR (single) or CODE_JAR and DEPS_JAR (split, DEPS_JAR in the cache).

# stage_jars ROOT CLUSTER_HOME NAME
stage_jars() {
  local root=$1 home=$2 name=$3
  SLUICE_STAGING=${SLUICE_STAGING:-split}
  case "$SLUICE_STAGING" in
    single)
      SLUICE_JAR=$root/runners/target/sluice.jar
      [ -f "$SLUICE_JAR" ] || { echo "$name: $SLUICE_JAR is missing: run mvn package" >&2; exit 2; }
      # A -Pcode-jar build repackages the changed modules' own jars but leaves sluice.jar as it
      # was: a module jar newer than sluice.jar means sluice.jar holds older code.
      local module
      for module in "$root"/transforms/target/sluice-transforms-*.jar "$root"/pipelines/target/sluice-pipelines-*.jar \
        "$root"/runners/target/sluice-runners-*.jar; do
        if [ -f "$module" ] && [ "$module" -nt "$SLUICE_JAR" ]; then
          echo "$name: $SLUICE_JAR is older than $(basename "$module") (a -Pcode-jar build): run mvn package without -Pcode-jar" >&2
          exit 2
        fi
      done
      ;;
    split)
      CODE_JAR=$root/runners/target/sluice-code.jar
      [ -f "$CODE_JAR" ] || { echo "$name: $CODE_JAR is missing: run mvn package" >&2; exit 2; }
      local built
      built=$(ls "$root"/runners/target/sluice-deps-*.jar 2>/dev/null || true)
      if [ "$(echo "$built" | grep -c .)" != 1 ]; then
        echo "$name: no single runners/target/sluice-deps-HASH.jar: run mvn package (without -Pcode-jar) once" >&2
        exit 2
      fi
      # A changed pom may have changed the dependencies, which a -Pcode-jar build does not repackage.
      local pom
      for pom in "$root"/pom.xml "$root"/*/pom.xml; do
        if [ "$pom" -nt "$built" ]; then
          echo "$name: $pom is newer than $(basename "$built"): run mvn package once without -Pcode-jar" >&2
          exit 2
        fi
      done
      local cache=${SLUICE_DEPS_CACHE:-$home/sluice-deps}
      DEPS_JAR=$cache/$(basename "$built")
      if [ -f "$DEPS_JAR" ]; then
        echo "$name: dependency jar $(basename "$DEPS_JAR") already staged in $cache; shipping only $(basename "$CODE_JAR")" >&2
      else
        mkdir -p "$cache"
        cp "$built" "$DEPS_JAR.tmp.$$"
        mv "$DEPS_JAR.tmp.$$" "$DEPS_JAR"
        echo "$name: staged dependency jar $(basename "$DEPS_JAR") in $cache (once for these dependencies)" >&2
      fi
      ;;
    *)
      echo "$name: SLUICE_STAGING must be split or single, not '$SLUICE_STAGING'" >&2
      exit 2
      ;;
  esac
}
