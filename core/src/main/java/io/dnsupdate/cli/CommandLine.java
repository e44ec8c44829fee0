package io.dnsupdate.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A program's flags and how to read them: {@code --name value} or {@code --name=value}, over the
 * flag's environment variable, over its default. {@code -h}/{@code --help} anywhere asks for the
 * usage. Every problem is collected, so one run names them all.
 *
 * <pre>{@code
 * FlagValues v = COMMAND_LINE.parse(args, System.getenv());
 * int port = v.integer("http-port", 0, 65535);
 * Duration every = v.positiveDuration("probe-interval");
 * v.check(); // throws UsageException naming every problem, with the usage
 * }</pre>
 */
public final class CommandLine {
  private static final int WIDTH = 100;
  private static final int INDENT = 31;

  private final String synopsis;
  private final Map<String, Flag> flags = new LinkedHashMap<>();

  /**
   * @param synopsis the first lines of the usage, e.g. {@code usage: dnsupdate-operator [--flag
   *     value ...]}
   * @param flags every flag, in the order the usage lists them
   */
  public CommandLine(String synopsis, List<Flag> flags) {
    this.synopsis = synopsis.strip();
    for (Flag f : flags) {
      if (this.flags.put(f.name(), f) != null) {
        throw new IllegalArgumentException("flag --" + f.name() + " is defined twice");
      }
    }
  }

  /** True when the arguments ask for the usage: {@code -h} or {@code --help} anywhere. */
  public static boolean wantsHelp(String[] args) {
    return List.of(args).contains("-h") || List.of(args).contains("--help");
  }

  /**
   * Reads the arguments over the environment. Syntax problems (unknown flag, missing value, stray
   * argument) are collected in the result; call {@link FlagValues#check()} after reading the
   * values.
   *
   * @throws UsageException carrying the usage when help is asked for
   */
  public FlagValues parse(String[] args, Map<String, String> env) {
    if (wantsHelp(args)) {
      throw UsageException.help(usage());
    }
    Map<String, String> given = new LinkedHashMap<>();
    List<String> problems = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (!arg.startsWith("--")) {
        problems.add("unexpected argument '" + arg + "' (flags look like --name value)");
        continue;
      }
      int eq = arg.indexOf('=');
      Flag flag = flags.get(arg.substring(2, eq < 0 ? arg.length() : eq));
      if (flag == null) {
        problems.add("unknown flag '" + arg + "'");
      } else if (!flag.takesValue()) {
        if (eq >= 0) {
          problems.add("--" + flag.name() + " takes no value");
        } else {
          given.put(flag.name(), "true");
        }
      } else if (eq >= 0) {
        given.put(flag.name(), arg.substring(eq + 1));
      } else if (i + 1 < args.length && !args[i + 1].startsWith("--")) {
        given.put(flag.name(), args[++i]);
      } else {
        problems.add("--" + flag.name() + " needs a value (" + flag.valueName() + ")");
      }
    }
    Map<String, FlagValues.Value> values = new LinkedHashMap<>();
    for (Flag f : flags.values()) {
      values.put(f.name(), valueOf(f, given, env));
    }
    return new FlagValues(values, problems, this);
  }

  private static FlagValues.Value valueOf(
      Flag f, Map<String, String> given, Map<String, String> env) {
    if (given.containsKey(f.name())) {
      return new FlagValues.Value(given.get(f.name()).strip(), "--" + f.name());
    }
    String fromEnv = f.env() == null ? null : env.get(f.env());
    if (fromEnv != null && !fromEnv.isBlank()) {
      return new FlagValues.Value(fromEnv.strip(), f.env());
    }
    return new FlagValues.Value(f.defaultValue(), "--" + f.name());
  }

  /**
   * The synopsis, then each flag with its meaning, environment variable and default, wrapped to
   * {@value #WIDTH} columns.
   */
  public String usage() {
    StringBuilder out = new StringBuilder(synopsis).append('\n');
    for (Flag f : flags.values()) {
      List<String> words = new ArrayList<>(List.of(f.help().split(" ")));
      List<String> where = new ArrayList<>();
      Optional.ofNullable(f.env()).ifPresent(e -> where.add("env " + e));
      Optional.ofNullable(f.defaultValue())
          .filter(d -> !d.isEmpty())
          .ifPresent(d -> where.add("default " + d));
      if (!where.isEmpty()) {
        words.addAll(List.of(("(" + String.join(", ", where) + ")").split(" ")));
      }
      entry(out, "--" + f.name() + (f.takesValue() ? " " + f.valueName() : ""), words);
    }
    entry(out, "-h, --help", List.of("this", "text"));
    out.append("Each flag also takes the form --name=value; a flag wins over its env variable.\n");
    return out.toString();
  }

  private static void entry(StringBuilder out, String name, List<String> words) {
    StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "  %-28s", name));
    int start = line.length();
    for (String word : words) {
      if (line.length() > start && line.length() + 1 + word.length() > WIDTH) {
        out.append(line).append('\n');
        line = new StringBuilder(" ".repeat(INDENT - 1));
        start = line.length();
      }
      line.append(' ').append(word);
    }
    out.append(line).append('\n');
  }
}
