package io.dnsupdate.testkit;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JVM settings a memory benchmark of a packaged jar compares, by name: {@code former} (the
 * image's former {@code -XX:MaxRAMPercentage=75} in the former memory limit), {@code baseline} (the
 * same on the jar of another checkout, {@code -Dbench.baseline=DIR}), {@code shipped} (the shipped
 * {@code <module>/jvm.options} in the present limit), and any given as {@code
 * -Dbench.jvm="name=FLAGS;..."} ({@code @shipped} in FLAGS stands for the options file); {@code
 * -Dbench.only=a,b} keeps only those named. The container's limit is emulated with {@code
 * -XX:MaxRAM}, its one CPU with {@code -XX:ActiveProcessorCount=1}.
 */
public final class JvmSettings {
  /**
   * The chart's CPU limit: in the container the JVM sees one processor, and sizes its GC choice,
   * compiler and library thread pools by it ({@code -XX:MaxRAM} stands in for the memory limit).
   */
  public static final String CONTAINER_CPUS = "-XX:ActiveProcessorCount=1";

  private JvmSettings() {}

  /** Each setting's whole command line, in the order above. */
  public static Map<String, List<String>> of(String module, String formerLimit, String limit) {
    PackagedJar jar = PackagedJar.of(module);
    Map<String, List<String>> settings = new LinkedHashMap<>();
    settings.put(
        "former",
        List.of(
            PackagedJar.java(),
            "-XX:MaxRAMPercentage=75",
            "-XX:MaxRAM=" + formerLimit,
            CONTAINER_CPUS,
            "-jar",
            jar.jar().toString()));
    String baseline = System.getProperty("bench.baseline", "");
    if (!baseline.isBlank()) {
      // the same former flags on the jar of another checkout (the code before this change)
      List<String> command = new ArrayList<>(settings.get("former"));
      command.set(
          command.size() - 1,
          Path.of(baseline, module, "target", "dnsupdate-" + module + ".jar")
              .toAbsolutePath()
              .toString());
      settings.put("baseline", command);
    }
    settings.put("shipped", jar.command(List.of("-XX:MaxRAM=" + limit, CONTAINER_CPUS)));
    for (String s : System.getProperty("bench.jvm", "").split(";")) {
      if (s.isBlank()) {
        continue;
      }
      String[] nameFlags = s.split("=", 2);
      List<String> command = new ArrayList<>(List.of(PackagedJar.java()));
      for (String f : nameFlags[1].trim().split("\\s+")) {
        command.add(f.equals("@shipped") ? "@" + jar.jvmOptions() : f);
      }
      command.addAll(List.of("-XX:MaxRAM=" + limit, CONTAINER_CPUS, "-jar", jar.jar().toString()));
      settings.put(nameFlags[0].trim(), command);
    }
    String only = System.getProperty("bench.only", "");
    if (!only.isBlank()) {
      settings.keySet().retainAll(List.of(only.split(",")));
    }
    return settings;
  }
}
