/**
 * Command-line options of the operator, the webhook and the demo: one parser for {@code --flag
 * value}, {@code --flag=value}, environment variables and defaults, one usage format, every problem
 * reported at once.
 *
 * <p>JDK only, on purpose: scripts/demo.sh compiles the demo's options with javac alone, before any
 * Maven build, so that {@code --help} and usage errors answer at once.
 */
package io.dnsupdate.cli;
