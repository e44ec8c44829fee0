package io.dnsupdate.api;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Build step: fabric8's CRD generator sorts printer columns by JSON path, so {@code kubectl get}
 * would lead with AGE. This puts them in the order the {@link AdditionalPrinterColumn} annotations
 * are declared (Ready first), rewriting only the columns block of each generated YAML file. Run by
 * exec-maven-plugin before the tests, so {@code CrdDriftTest} compares the reordered files.
 */
public final class PrinterColumnOrder {
  private static final String BLOCK = "  - additionalPrinterColumns:";
  private static final String ITEM = "    - ";
  private static final String ITEM_BODY = "      ";

  private PrinterColumnOrder() {}

  /** {@code args[0]}: the generator's output folder. */
  public static void main(String[] args) throws IOException {
    Path dir = Path.of(args[0]);
    reorder(dir.resolve("tsigkeys.dnsupdate.io-v1.yml"), TsigKey.class);
    reorder(dir.resolve("dnsupdateissuers.dnsupdate.io-v1.yml"), DnsUpdateIssuer.class);
  }

  static void reorder(Path file, Class<?> type) throws IOException {
    List<String> order =
        Arrays.stream(type.getAnnotationsByType(AdditionalPrinterColumn.class))
            .map(AdditionalPrinterColumn::name)
            .toList();
    Files.writeString(file, reorder(Files.readString(file), order));
  }

  static String reorder(String yaml, List<String> order) {
    List<String> lines = new ArrayList<>(yaml.lines().toList());
    int start = lines.indexOf(BLOCK);
    if (start < 0) {
      throw new IllegalStateException("no printer columns block");
    }
    List<List<String>> items = new ArrayList<>();
    int i = start + 1;
    while (i < lines.size()
        && (lines.get(i).startsWith(ITEM) || lines.get(i).startsWith(ITEM_BODY))) {
      if (lines.get(i).startsWith(ITEM)) {
        items.add(new ArrayList<>());
      }
      items.get(items.size() - 1).add(lines.get(i));
      i++;
    }
    items.sort(Comparator.comparingInt(item -> position(item, order)));
    List<String> out = new ArrayList<>(lines.subList(0, start + 1));
    items.forEach(out::addAll);
    out.addAll(lines.subList(i, lines.size()));
    return String.join("\n", out) + (yaml.endsWith("\n") ? "\n" : "");
  }

  private static int position(List<String> item, List<String> order) {
    for (String line : item) {
      String l = line.strip();
      if (l.startsWith("name: ")) {
        int p = order.indexOf(l.substring("name: ".length()).replace("\"", ""));
        if (p >= 0) {
          return p;
        }
      }
    }
    throw new IllegalStateException("printer column not declared: " + item);
  }
}
