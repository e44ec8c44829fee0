package io.dnsupdate.testkit;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

/** JUnit 5 extension running the standard BIND fixture ({@link StandardZones}) per test class. */
public final class NamedExtension
    implements BeforeAllCallback, AfterAllCallback, ParameterResolver {

  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(NamedExtension.class);

  private final boolean withSecondary;
  private volatile Fixture fixture;

  /**
   * Primary only; the constructor {@code @ExtendWith(NamedExtension.class)} uses. Test methods,
   * constructors and {@code @BeforeAll} methods may then take a {@link NamedServer} parameter;
   * {@code @Nested} classes share the enclosing class's servers.
   */
  public NamedExtension() {
    this(false);
  }

  private NamedExtension(boolean withSecondary) {
    this.withSecondary = withSecondary;
  }

  /** Primary only, for {@code @RegisterExtension}. */
  public static NamedExtension primaryOnly() {
    return new NamedExtension(false);
  }

  /**
   * Primary plus a secondary of example.test on 127.0.0.2 (same port) that the primary NOTIFYs:
   * {@code @RegisterExtension static final NamedExtension NAMED = NamedExtension.withSecondary();}
   * (static, or BeforeAll never runs). A parameter annotated {@link Secondary} gets the secondary.
   */
  public static NamedExtension withSecondary() {
    return new NamedExtension(true);
  }

  /**
   * Starts a standard secondary for a primary not started by this extension (adds the NOTIFY to the
   * primary if needed). The caller closes it.
   */
  public static NamedServer secondary(NamedServer primary) {
    return StandardZones.startSecondary(primary);
  }

  /** The running primary (after BeforeAll). */
  public NamedServer primary() {
    return running().primary;
  }

  /** The running secondary; fails for a primary-only extension. */
  public NamedServer secondary() {
    Fixture f = running();
    if (f.secondary == null) {
      throw new IllegalStateException("use NamedExtension.withSecondary() to get a secondary");
    }
    return f.secondary;
  }

  private Fixture running() {
    Fixture f = fixture;
    if (f == null) {
      throw new IllegalStateException(
          "the fixture is not running: register NamedExtension on a static field or with"
              + " @ExtendWith, and use it from tests or @BeforeAll");
    }
    return f;
  }

  private String key() {
    return withSecondary ? "primary+secondary" : "primary";
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    ExtensionContext.Store store = context.getStore(NAMESPACE);
    // Lookup is hierarchical: a @Nested class finds its enclosing class's fixture and reuses it.
    Fixture f = store.get(key(), Fixture.class);
    if (f == null) {
      f = Fixture.start(withSecondary, context.getUniqueId());
      store.put(key(), f);
    }
    fixture = f;
  }

  @Override
  public void afterAll(ExtensionContext context) {
    ExtensionContext.Store store = context.getStore(NAMESPACE);
    Fixture f = store.get(key(), Fixture.class);
    if (f != null && f.owner.equals(context.getUniqueId())) {
      store.remove(key());
      fixture = null;
      f.close();
    }
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == NamedServer.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    Fixture f = context.getStore(NAMESPACE).get(key(), Fixture.class);
    if (f == null) {
      throw new ParameterResolutionException("NamedExtension has not started its servers here");
    }
    if (parameter.isAnnotated(Secondary.class)) {
      if (f.secondary == null) {
        throw new ParameterResolutionException(
            "@Secondary NamedServer needs NamedExtension.withSecondary()");
      }
      return f.secondary;
    }
    return f.primary;
  }

  /** The servers of one test class; JUnit closes it with the class context if AfterAll did not. */
  private static final class Fixture implements AutoCloseable {
    final String owner;
    final NamedServer primary;
    final NamedServer secondary;

    private Fixture(String owner, NamedServer primary, NamedServer secondary) {
      this.owner = owner;
      this.primary = primary;
      this.secondary = secondary;
    }

    static Fixture start(boolean withSecondary, String owner) {
      NamedServer primary = StandardZones.primaryBuilder(withSecondary).start();
      if (!withSecondary) {
        return new Fixture(owner, primary, null);
      }
      try {
        return new Fixture(owner, primary, StandardZones.startSecondary(primary));
      } catch (RuntimeException e) {
        primary.close();
        throw e;
      }
    }

    @Override
    public void close() {
      try {
        if (secondary != null) {
          secondary.close();
        }
      } finally {
        primary.close();
      }
    }
  }
}
