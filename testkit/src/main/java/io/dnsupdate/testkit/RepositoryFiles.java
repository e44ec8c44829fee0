package io.dnsupdate.testkit;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Files of this repository (examples/, crds/, the chart's permission list), found upwards from the
 * working directory: surefire runs in a module folder, the demo in the repository root.
 */
public final class RepositoryFiles {
  private RepositoryFiles() {}

  /** The file or folder at {@code relativePath} from the repository root. */
  public static Path find(String relativePath) {
    Path start = Path.of("").toAbsolutePath();
    for (Path dir = start; dir != null; dir = dir.getParent()) {
      Path candidate = dir.resolve(relativePath);
      if (Files.exists(candidate)) {
        return candidate;
      }
    }
    throw new IllegalStateException("no " + relativePath + " in " + start + " or above");
  }
}
