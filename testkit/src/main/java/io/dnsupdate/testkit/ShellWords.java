package io.dnsupdate.testkit;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a command line into words as a POSIX shell does for plain words and single-quoted strings,
 * which is all the rendered nameserver commands use; anything a shell would expand or treat
 * specially ({@code "}, {@code \}, {@code $}, {@code `}, {@code ;}, {@code |}, {@code &},
 * redirections) is refused rather than guessed at.
 */
final class ShellWords {

  private ShellWords() {}

  static List<String> split(String line) {
    List<String> words = new ArrayList<>();
    StringBuilder word = null;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (c == '\'') {
        int end = line.indexOf('\'', i + 1);
        if (end < 0) {
          throw new IllegalArgumentException("unterminated quote in: " + line);
        }
        word = word == null ? new StringBuilder() : word;
        word.append(line, i + 1, end);
        i = end;
      } else if (c == ' ' || c == '\t') {
        if (word != null) {
          words.add(word.toString());
          word = null;
        }
      } else if ("\"\\$`;|&<>(){}*?#".indexOf(c) >= 0 && !(c == '#' && word != null)) {
        throw new IllegalArgumentException(
            "'" + c + "' would mean something to a shell; not expected in: " + line);
      } else {
        word = word == null ? new StringBuilder() : word;
        word.append(c);
      }
    }
    if (word != null) {
      words.add(word.toString());
    }
    if (words.isEmpty()) {
      throw new IllegalArgumentException("no command in: " + line);
    }
    return words;
  }
}
