#!/bin/sh
# Writes the class-data-sharing (AppCDS) archive of the operator's or the webhook's image: a dry
# start of the jar (--cds-training: no API server needed, see each module's CdsTraining) under the
# image's JVM flags, whose loaded classes the JVM dumps into ARCHIVE at exit. JDK 17 cannot create
# the archive by itself at the first real start, and the image build has no API server, hence this
# step. Run by operator/Dockerfile and webhook/Dockerfile; StartupBenchmark and PackagedJarsIT run
# the same script (testkit's PackagedJar.writeCdsArchive) and use its archive.
#
# usage: cds-archive.sh JAR JVM_OPTIONS ARCHIVE     (JAVA: the java launcher, default: java)
set -eu
jar=$1
options=$2
archive=$3
java=${JAVA:-java}
# the dynamic archive sits on top of the JDK's default one; write that if the JDK lacks it
"$java" -Xshare:on -version >/dev/null 2>&1 || "$java" -Xshare:dump >/dev/null
rm -f "$archive"
# -Xlog:cds=error: not the warnings for each class CDS skips (generated accessors, JFR events)
"$java" "@$options" -XX:ArchiveClassesAtExit="$archive" -Xlog:cds=error -jar "$jar" --cds-training
test -s "$archive"
