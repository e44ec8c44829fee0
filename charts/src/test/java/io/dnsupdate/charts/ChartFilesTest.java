package io.dnsupdate.charts;

import static org.assertj.core.api.Assertions.assertThat;

import com.marcnuri.helm.Helm;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The files the chart ships beside its templates reach users: `helm package` keeps the GitOps
 * health checks (gitops/), byte for byte as cluster/health tests them and docs/gitops.md shows
 * them.
 */
class ChartFilesTest {

  @TempDir static Path packaged;

  private static Map<String, byte[]> contents;

  @ParameterizedTest
  @ValueSource(strings = {"gitops/argocd-cm.yaml", "gitops/flux-kustomization.yaml"})
  void thePackagedChartCarriesTheHealthChecks(String file) throws IOException {
    byte[] inPackage = packagedFiles().get("dnsupdate-operator/" + file);

    assertThat(inPackage).as("%s in the packaged chart", file).isNotNull();
    assertThat(new String(inPackage, StandardCharsets.UTF_8))
        .isEqualTo(Files.readString(RenderedChart.CHART_DIR.resolve(file)));
  }

  private static synchronized Map<String, byte[]> packagedFiles() throws IOException {
    if (contents == null) {
      new Helm(RenderedChart.CHART_DIR).packageIt().withDestination(packaged).call();
      try (var files = Files.list(packaged)) {
        Path tgz = files.filter(p -> p.toString().endsWith(".tgz")).findFirst().orElseThrow();
        contents = untar(tgz);
      }
    }
    return contents;
  }

  /** The regular files of a gzipped ustar archive (names under 100 bytes, as the chart's are). */
  private static Map<String, byte[]> untar(Path tgz) throws IOException {
    Map<String, byte[]> out = new HashMap<>();
    try (InputStream in = new GZIPInputStream(Files.newInputStream(tgz))) {
      byte[] header = new byte[512];
      while (in.readNBytes(header, 0, 512) == 512 && header[0] != 0) {
        String name = field(header, 0, 100);
        long size = Long.parseLong(field(header, 124, 12).trim(), 8);
        byte[] data = in.readNBytes((int) size);
        in.readNBytes((int) ((512 - size % 512) % 512));
        if (header[156] == '0' || header[156] == 0) {
          out.put(name, data);
        }
      }
    }
    return out;
  }

  private static String field(byte[] header, int offset, int length) {
    ByteArrayOutputStream s = new ByteArrayOutputStream();
    for (int i = offset; i < offset + length && header[i] != 0; i++) {
      s.write(header[i]);
    }
    return s.toString(StandardCharsets.US_ASCII);
  }
}
